package dev.llmforge.backend.djl;

import com.google.auto.service.AutoService;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import java.util.Locale;
import java.util.Optional;

/**
 * Registers the PyTorch backend (through DJL). Discovery only looks for classes and resources;
 * {@link #create} applies {@link DjlSettings} and then loads the engine from the natives jar on
 * the class path ({@code ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64}), without
 * downloading anything.
 */
@AutoService(BackendProvider.class)
public final class DjlBackendProvider implements BackendProvider {
    static final String NATIVES_RESOURCE = "native/lib/pytorch.properties";

    @Override
    public String name() {
        return DjlBackend.NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Optional<String> unavailableReason() {
        ClassLoader loader = DjlBackendProvider.class.getClassLoader();
        for (String cls : new String[] {"ai.djl.engine.Engine", "ai.djl.pytorch.engine.PtEngine", "ai.djl.pytorch.jni.JniUtils"}) {
            try {
                Class.forName(cls, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return Optional.of("class " + cls + " is missing: add ai.djl:api and ai.djl.pytorch:pytorch-engine");
            }
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean knownOs = os.startsWith("linux") || os.startsWith("mac") || os.startsWith("windows");
        boolean knownArch = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64") || arch.equals("arm64");
        if (!knownOs || !knownArch) {
            return Optional.of("PyTorch has no natives for " + os + "/" + arch);
        }
        if (loader.getResource(NATIVES_RESOURCE) == null && System.getenv("PYTORCH_LIBRARY_PATH") == null
                && System.getProperty("PYTORCH_LIBRARY_PATH") == null) {
            return Optional.of("PyTorch natives are not on the class path (" + NATIVES_RESOURCE + " not found) and "
                    + "PYTORCH_LIBRARY_PATH is not set: add ai.djl.pytorch:pytorch-native-cpu:2.7.1 with the classifier "
                    + "of this platform (e.g. linux-x86_64); the backend never downloads natives");
        }
        return Optional.empty();
    }

    @Override
    public Backend create() {
        int threads = DjlSettings.apply();
        return DjlBackend.start(threads);
    }
}
