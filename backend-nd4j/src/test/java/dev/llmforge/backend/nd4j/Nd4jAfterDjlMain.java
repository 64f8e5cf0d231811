package dev.llmforge.backend.nd4j;

import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.tensor.Backends;

/** Run by {@link OpenMpIsolationTest} in a fresh JVM: PyTorch's thread count before and after ND4J starts. */
public final class Nd4jAfterDjlMain {
    private Nd4jAfterDjlMain() {
    }

    public static void main(String[] args) {
        Backends.get("djl");
        int before = JniUtils.getNumThreads();
        Backends.get(Nd4jBackend.NAME);
        int after = JniUtils.getNumThreads();
        System.out.println("pytorch threads " + before + " -> " + after);
    }
}
