package dev.llmforge.backend.tensorflow;

import com.google.auto.service.AutoService;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import dev.llmforge.spi.EngineThreads;
import java.util.Locale;
import java.util.Optional;

/**
 * Registers the TensorFlow backend. Discovery only looks for classes and the natives resource;
 * {@link #create} loads TensorFlow from {@code tensorflow-core-native} (classifier linux-x86_64)
 * on the class path, without downloading anything. Threads: {@link EngineThreads#intraOp()} intra-op
 * threads ({@code llmforge.threads}, else the free processors, as every backend); one inter-op thread.
 */
@AutoService(BackendProvider.class)
public final class TensorFlowBackendProvider implements BackendProvider {
    static final String API_CLASS = "org.tensorflow.internal.c_api.global.tensorflow";
    static final String NATIVES_DIRECTORY = "org/tensorflow/internal/c_api/";

    @Override
    public String name() {
        return TensorFlowBackend.NAME;
    }

    /** Below DJL's 100: with both on the class path PyTorch is the default unless TensorFlow is named. */
    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Optional<String> unavailableReason() {
        ClassLoader loader = TensorFlowBackendProvider.class.getClassLoader();
        try {
            Class.forName(API_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("class " + API_CLASS + " is missing: add org.tensorflow:tensorflow-core-native:1.1.0");
        }
        String platform = platform();
        if (platform == null) {
            return Optional.of("TensorFlow Java has no natives for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        if (loader.getResource(NATIVES_DIRECTORY + platform + "/libjnitensorflow.so") == null
                && loader.getResource(NATIVES_DIRECTORY + platform + "/jnitensorflow.dll") == null
                && loader.getResource(NATIVES_DIRECTORY + platform + "/libjnitensorflow.dylib") == null) {
            return Optional.of("TensorFlow natives for " + platform + " are not on the class path: add "
                    + "org.tensorflow:tensorflow-core-native:1.1.0 with classifier " + platform);
        }
        return Optional.empty();
    }

    @Override
    public Backend create() {
        return TensorFlowBackend.start(EngineThreads.intraOp());
    }

    /** javacpp's platform name for this machine, or null where TensorFlow Java ships no natives. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("linux")) {
            return x64 ? "linux-x86_64" : arm64 ? "linux-arm64" : null;
        }
        if (os.startsWith("mac")) {
            return arm64 ? "macosx-arm64" : null;
        }
        if (os.startsWith("windows")) {
            return x64 ? "windows-x86_64" : null;
        }
        return null;
    }
}
