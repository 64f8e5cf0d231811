package dev.llmforge.examples.cli;

import dev.llmforge.distributed.Collective;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Pretraining;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.ConsoleProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The run of {@code llmforge pretrain} as a {@link TrainingJob}.
 *
 * @param resumeFrom the checkpoint to continue, or null for a fresh run of {@code model}
 */
record PretrainJob(String backendName, int threads, String data, String out, GptConfig model, TrainingConfig training, String resumeFrom,
                   boolean overwrite, int logInterval) implements TrainingJob {

    @Override
    public Trainer build(Backend backend, String resume, Collective collective, PrintWriter console) throws IOException {
        Pretraining.Builder b = Pretraining.builder().backend(backend).data(TokenData.open(Path.of(data))).config(training)
                .outputDir(Path.of(out)).overwrite(overwrite).collective(collective);
        if (console != null) {
            b.listener(new ConsoleProgress(console, logInterval));
        }
        if (resume != null) {
            b.resumeFrom(Path.of(resume));
        } else {
            b.model(model);
        }
        return b.build();
    }
}
