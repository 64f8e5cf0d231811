package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.LossOn;
import dev.llmforge.alignment.data.SftFormat;
import dev.llmforge.alignment.sft.Sft;
import dev.llmforge.alignment.sft.StartingPoint;
import dev.llmforge.distributed.Collective;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.metrics.ConsoleProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The run of {@code llmforge sft} as a {@link TrainingJob}: every replica reads the same record files and
 * starts from the same model.
 *
 * @param from          the model to fine-tune (a checkpoint or Hugging Face GPT-2 directory, or a llama2.c file), used by a fresh run
 * @param tokenizer     the tokenizer file of a llama2.c {@code from}, else null
 * @param valData       held-out record files, or empty to hold out {@code valFraction} of the training records
 * @param format        the format of every file, or null to detect it per file
 * @param lossOn        {@link LossOn#id()}
 * @param packing       several records a row ({@link Sft.Builder#packing})
 * @param answerRecords held-out records answered greedily at each evaluation (0: none)
 * @param resumeFrom    the checkpoint to continue, or null for a fresh run from {@code from}
 */
record SftJob(String backendName, int threads, String from, String tokenizer, List<String> data, List<String> valData, double valFraction, String format,
              String template, String lossOn, boolean packing, boolean skipBadRecords, int answerRecords, int answerTokens, String out, TrainingConfig training,
              String resumeFrom, boolean overwrite, int logInterval) implements TrainingJob {

    SftJob {
        data = List.copyOf(data);
        valData = List.copyOf(valData);
    }

    @Override
    public Trainer build(Backend backend, String resume, Collective collective, PrintWriter console) throws IOException {
        Sft.Builder b = Sft.builder().backend(backend).outputDir(Path.of(out)).overwrite(overwrite).collective(collective)
                .lossOn(LossOn.named(lossOn)).packing(packing).format(format == null ? null : SftFormat.named(format)).skipBadRecords(skipBadRecords)
                .template(template).answerEvaluation(answerRecords, answerTokens).data(paths(data)).config(training)
                .report(line -> {
                    if (console != null) {
                        console.println(line);
                        console.flush();
                    }
                });
        if (valData.isEmpty()) {
            b.validationFraction(valFraction);
        } else {
            b.validationData(paths(valData));
        }
        if (console != null) {
            b.listener(new ConsoleProgress(console, logInterval));
        }
        if (resume != null) {
            return b.resumeFrom(Path.of(resume)).build();
        }
        StartingPoint start = StartingPoint.load(Path.of(from), tokenizer == null ? null : Path.of(tokenizer), backend);
        if (console != null) {
            console.println("from: " + start.description());
            console.flush();
        }
        try {
            return b.model(start.model(), start.tokenizer()).owning(start).build();
        } catch (IOException | RuntimeException e) {
            start.close();
            throw e;
        }
    }

    private static List<Path> paths(List<String> files) {
        return files.stream().map(Path::of).toList();
    }
}
