package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreedMemoryReleaseTest {
    private static final Path STATUS = Path.of("/proc/self/status");

    /** Resident memory of this process in MB (Linux). */
    private static double residentMb() throws IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS in " + STATUS);
    }

    @Test
    void freedTensorMemoryGoesBackToTheSystem() throws IOException {
        FreedMemoryRelease release = new FreedMemoryRelease();
        assumeTrue(release.available() && Files.isReadable(STATUS), "glibc on Linux only");
        Backend djl = Backends.get("djl");
        List<Tensor> blocks = new ArrayList<>();
        for (int i = 0; i < 1_600; i++) { // 64 KiB each, below glibc's mmap threshold: they come from its heap
            blocks.add(Tensor.on(djl).full(Shape.of(16_384), 1.0, DType.F32));
        }
        Tensor last = blocks.remove(blocks.size() - 1); // kept: the free space sits below a live block
        blocks.forEach(Tensor::close);
        double before = residentMb();
        assertTrue(release.releaseNow(), "malloc_trim released nothing");
        double after = residentMb();
        last.close();
        assertTrue(before - after > 50, "about 100 MB of freed tensors: resident " + before + " MB before, " + after + " MB after");
    }
}
