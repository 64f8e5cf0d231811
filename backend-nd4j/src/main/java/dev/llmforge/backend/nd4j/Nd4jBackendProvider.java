package dev.llmforge.backend.nd4j;

import com.google.auto.service.AutoService;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import java.util.Optional;

/**
 * Registers the ND4J backend ({@code -Dllmforge.backend=nd4j}). Discovery only looks for classes
 * and reads the native jars' Maven coordinates ({@link NativeJarVersions}); {@link #create} loads
 * libnd4j and OpenBLAS from the natives on the class path.
 */
@AutoService(BackendProvider.class)
public final class Nd4jBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return Nd4jBackend.NAME;
    }

    /** Below the PyTorch backend (100): ND4J is picked automatically only when it is the one on the class path. */
    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Optional<String> unavailableReason() {
        ClassLoader loader = Nd4jBackendProvider.class.getClassLoader();
        for (String cls : new String[] {"org.nd4j.linalg.factory.Nd4j", "org.nd4j.linalg.cpu.nativecpu.CpuBackend",
            "org.bytedeco.javacpp.Loader"}) {
            try {
                Class.forName(cls, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return Optional.of("class " + cls + " is missing: add org.nd4j:nd4j-native:1.0.0-M2.1 and its "
                        + "linux-x86_64 jar (llmforge-backend-nd4j brings them)");
            }
        }
        return NativeJarVersions.problem(loader);
    }

    @Override
    public Backend create() {
        return Nd4jBackend.start(Nd4jSettings.fromSystemProperties());
    }
}
