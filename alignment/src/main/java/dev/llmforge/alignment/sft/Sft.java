package dev.llmforge.alignment.sft;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.LossOn;
import dev.llmforge.alignment.data.SftEncoder;
import dev.llmforge.alignment.data.SftExample;
import dev.llmforge.alignment.data.SftFormat;
import dev.llmforge.alignment.data.SftReader;
import dev.llmforge.alignment.data.SftRecord;
import dev.llmforge.alignment.data.Truncation;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.RecipeBuilder;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingState;
import dev.llmforge.training.data.PaddedRecordSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised fine-tuning of a {@link Gpt}: records read from files in any {@link SftFormat}, rendered with a chat
 * template and encoded with their loss masks ({@link SftEncoder}, at most context + 1 ids), batched as right-padded
 * next-token rows ({@link NextTokenRows}, as long as each batch's longest record, or {@linkplain Builder#packing packed}
 * several records a row) and trained by a {@link Trainer}
 * with the {@link SftObjective}. Evaluation scores the masked loss on held-out records ({@code val_loss}) and on a
 * sample of the training records ({@code train_loss}), the same records at every evaluation, and, when held-out
 * records carry final answers, the exact-match accuracy of greedy answers ({@code val_exact_match}). Checkpoints
 * are plain model directories with the tokenizer, so {@code llmforge generate} and {@code llmforge chat} read them.
 *
 * <pre>{@code
 * try (Gpt base = Checkpoint.loadModel(Path.of("out/base/best"), backend);
 *      Trainer trainer = Sft.builder().backend(backend)
 *              .model(base, TrainingCheckpoint.tokenizer(Path.of("out/base/best")))
 *              .data(List.of(Path.of("train.jsonl"))).template("qa")
 *              .config(TrainingConfig.builder().maxIters(500).batchSize(8).learningRate(1e-4).build())
 *              .outputDir(Path.of("out/sft")).build()) {
 *     trainer.run();
 * }
 * }</pre>
 */
public final class Sft {
    /** The evaluation source of held-out records ({@code val_loss}, {@code val_exact_match}). */
    public static final String VAL = "val";
    /** The evaluation source of training records ({@code train_loss}). */
    public static final String TRAIN = "train";
    /** The {@code trainer.json} data entry naming the held-out files, when they were given. */
    public static final String VAL_FILES = "val_files";
    /** The {@code trainer.json} data entries of {@link Builder#answerEvaluation}. */
    public static final String ANSWER_RECORDS = "answer_records";
    public static final String ANSWER_TOKENS = "answer_tokens";
    /** The {@code trainer.json} data entry of {@link Builder#packing}: {@code true} or {@code false}. */
    public static final String PACKING = "packing";

    private static final Logger LOG = LoggerFactory.getLogger(Sft.class);
    private static final long TRAIN_STREAM = 0x73667474L;
    private static final long SPLIT_STREAM = 0x73706C74L;

    private Sft() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings of a fine-tuning run: {@link #data}, and a {@link #model} or {@link #resumeFrom}, are required; so is the
     * {@link #config} of a fresh run. On resume the checkpoint also gives the tokenizer.
     */
    public static final class Builder extends RecipeBuilder<Builder> {
        private Gpt model;
        private Tokenizer tokenizer;
        private List<Path> data = List.of();
        private List<Path> validationData = List.of();
        private SftFormat format;
        private boolean skipBadRecords;
        private double validationFraction = 0.05;
        private String template = "qa";
        private LossOn lossOn = LossOn.ASSISTANT;
        private boolean packing;
        private int answerRecords = 32;
        private int answerTokens = 128;
        private Consumer<String> report = LOG::info;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The model to fine-tune and its tokenizer. Special tokens the template needs are added to the tokenizer, and
         * the model then grows into a new model the trainer owns ({@link ChatVocabulary}); otherwise its parameters
         * change in place and the caller keeps ownership.
         */
        public Builder model(Gpt v, Tokenizer t) {
            model = Objects.requireNonNull(v);
            tokenizer = Objects.requireNonNull(t);
            return this;
        }

        /** Files of training records (required); each in its own format unless {@link #format} names one. */
        public Builder data(List<Path> v) {
            data = List.copyOf(v);
            return this;
        }

        /** Files of held-out records (default: {@link #validationFraction} of the training records, chosen from the seed). */
        public Builder validationData(List<Path> v) {
            validationData = List.copyOf(v);
            return this;
        }

        /** The share of the training records held out when there are no validation files (default 0.05, at least one record). */
        public Builder validationFraction(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("the validation fraction must be in (0, 1), got " + v);
            }
            validationFraction = v;
            return this;
        }

        /** The format of every file (default: detected per file). */
        public Builder format(SftFormat v) {
            format = v;
            return this;
        }

        /** Skip and count bad records instead of failing at the first (default false). */
        public Builder skipBadRecords(boolean v) {
            skipBadRecords = v;
            return this;
        }

        /** The chat template: {@code chatml}, {@code human-assistant} or {@code qa} (default {@code qa}). */
        public Builder template(String v) {
            ChatTemplate.named(v);
            template = v;
            return this;
        }

        /** Which tokens the loss covers (default {@link LossOn#ASSISTANT}). */
        public Builder lossOn(LossOn v) {
            lossOn = Objects.requireNonNull(v);
            return this;
        }

        /**
         * Packs several training records into each row of context + 1 tokens (default false: one record a row, padded to the
         * longest of its batch). Positions restart at each record and no token attends across records ({@code Segments}), so
         * each record's loss is its loss alone; a row then holds more records, and an epoch takes fewer batches. Evaluation
         * stays unpacked, so the held-out loss compares with an unpacked run's.
         */
        public Builder packing(boolean v) {
            packing = v;
            return this;
        }

        /**
         * Exact-match accuracy on at most {@code records} held-out records with a final answer, answered greedily with at
         * most {@code maxNewTokens} tokens (default 32 records, 128 tokens; 0 records: off).
         */
        public Builder answerEvaluation(int records, int maxNewTokens) {
            if (records < 0 || maxNewTokens <= 0) {
                throw new IllegalArgumentException("answer evaluation needs records >= 0 and maxNewTokens > 0, got " + records + " and "
                        + maxNewTokens);
            }
            answerRecords = records;
            answerTokens = maxNewTokens;
            return this;
        }

        /** Something the trainer closes when it closes (the starting point's model, e.g.). */
        public Builder owning(AutoCloseable v) {
            trainer().owning(v);
            return this;
        }

        /** Where the data report goes (records read, held out, skipped, truncated; tokens added), default the log. */
        public Builder report(Consumer<String> v) {
            report = Objects.requireNonNull(v);
            return this;
        }

        /**
         * Reads and encodes the data and creates the trainer.
         *
         * @throws IOException              if a file or the checkpoint cannot be read, or a record is bad (unless skipped)
         * @throws IllegalArgumentException if model, tokenizer, template and data do not fit together
         * @throws IllegalStateException    if a fresh run would replace an earlier run's checkpoint without {@link #overwrite}
         */
        public Trainer build() throws IOException {
            if (data.isEmpty()) {
                throw new IllegalStateException("fine-tuning needs data files (Builder.data)");
            }
            Path resumeFrom = resumeDir();
            if ((model == null) == (resumeFrom == null)) {
                throw new IllegalStateException("fine-tuning needs either a model (Builder.model) or a checkpoint to resume (Builder.resumeFrom)");
            }
            Backend backend = chosenBackend();
            ChatTemplate chat = ChatTemplate.named(template);
            TrainingConfig training = chosenConfig();
            Gpt m;
            Tokenizer t;
            boolean owns;
            if (resumeFrom != null) {
                TrainingState resumed = TrainingCheckpoint.readState(resumeFrom);
                training = training != null ? training : resumed.config();
                String savedTemplate = resumed.data().get("template");
                if (savedTemplate != null && !savedTemplate.equals(template)) {
                    throw new IllegalArgumentException(resumeFrom + " was fine-tuned with the " + savedTemplate + " template, not " + template
                            + ": resume with --template " + savedTemplate);
                }
                boolean savedPacking = Boolean.parseBoolean(resumed.data().getOrDefault(PACKING, "false"));
                if (savedPacking != packing) {
                    throw new IllegalArgumentException(resumeFrom + " was fine-tuned " + (savedPacking ? "with" : "without")
                            + " packing: resume " + (savedPacking ? "with" : "without") + " --packing (the saved batch position depends on it)");
                }
                t = TrainingCheckpoint.tokenizer(resumeFrom);
                m = Gpt.forLoading(Checkpoint.loadConfig(resumeFrom), Tensor.on(backend), DType.F32); // the trainer loads its weights
                owns = true;
            } else {
                if (training == null) {
                    throw new IllegalStateException("a fresh fine-tuning run needs a training configuration (Builder.config)");
                }
                ChatVocabulary vocabulary = ChatVocabulary.prepare(chat, tokenizer, model);
                String grew = vocabulary.describe(model.config().vocabSize());
                if (grew != null) {
                    report.accept(grew);
                }
                m = vocabulary.model();
                t = vocabulary.tokenizer();
                owns = vocabulary.grown();
            }
            try {
                return buildTrainer(m, owns, t, chat, training);
            } catch (IOException | RuntimeException e) {
                if (owns) {
                    m.close();
                }
                throw e;
            }
        }

        private Trainer buildTrainer(Gpt m, boolean owns, Tokenizer t, ChatTemplate chat, TrainingConfig training) throws IOException {
            BadRecords bad = BadRecords.of(skipBadRecords);
            List<SftRecord> trainRecords = read(data, bad);
            List<SftRecord> valRecords;
            if (validationData.isEmpty()) {
                List<List<SftRecord>> split = holdOut(trainRecords, validationFraction, training.seed());
                trainRecords = split.get(0);
                valRecords = split.get(1);
                report.accept("records: " + trainRecords.size() + " to train, " + valRecords.size() + " held out (" + validationFraction
                        + " of " + (trainRecords.size() + valRecords.size()) + ", chosen from the seed)");
            } else {
                valRecords = read(validationData, bad);
                report.accept("records: " + trainRecords.size() + " to train, " + valRecords.size() + " held out (" + names(validationData) + ")");
            }
            SftEncoder encoder = new SftEncoder(chat, t, m.config().blockSize() + 1, lossOn);
            List<PaddedRecordSource.Record> trainRows = encode(encoder, trainRecords, bad, "training");
            List<PaddedRecordSource.Record> valRows = encode(encoder, valRecords, bad, "held-out");
            if (bad.count() > 0) {
                report.accept(bad.summary());
            }
            long padId = t.specialTokens().id(SpecialTokens.END_OF_TEXT).orElse(0);
            PaddedRecordSource trainSource = records(trainRows, training.batchSize(), padId, training.seed() ^ TRAIN_STREAM).build();
            if (packing) {
                PaddedRecordSource.Fill padded = trainSource.epochFill();
                trainSource = records(trainRows, training.batchSize(), padId, training.seed() ^ TRAIN_STREAM)
                        .length(m.config().blockSize() + 1).packing(true).build();
                PaddedRecordSource.Fill packed = trainSource.epochFill();
                report.accept(String.format(Locale.ROOT, "packing: an epoch of %d training records takes %d batches (%d positions, %.1f%% "
                                + "padding) instead of %d (%d positions, %.1f%% padding)", trainRows.size(), packed.batches(), packed.positions(),
                        100 * packed.paddingFraction(), padded.batches(), padded.positions(), 100 * padded.paddingFraction()));
            }
            NextTokenRows train = new NextTokenRows(trainSource);
            NextTokenRows trainEval = new NextTokenRows(records(trainRows, training.batchSize(), padId, training.seed() ^ SPLIT_STREAM).build());
            NextTokenRows valEval = new NextTokenRows(records(valRows, training.batchSize(), padId, null).build());
            if (answerRecords > 0 && answerTokens >= m.config().blockSize()) {
                throw new IllegalArgumentException("greedy answers of up to " + answerTokens + " tokens leave no room for the question in a context of "
                        + m.config().blockSize() + ": choose fewer answer tokens");
            }
            AnswerAccuracy accuracy = answerRecords > 0 && AnswerAccuracy.applies(valRecords)
                    ? new AnswerAccuracy(VAL, valRecords, answerRecords, new ChatGeneration(chat, t), answerTokens) : null;
            Trainer.Builder b = trainer().backend(chosenBackend()).config(training).model(Trainer.DEFAULT_MODEL, m)
                    .objective(new SftObjective(m, List.of(trainEval, valEval), accuracy))
                    .trainSource(train).evalSource(TRAIN, trainEval).evalSource(VAL, valEval)
                    .tokenizerJson(TokenizerFiles.toJson(t)).data("files", names(data)).data("template", template)
                    .data("loss_on", lossOn.id()).data(PACKING, Boolean.toString(packing)).data("train_records", Integer.toString(trainRows.size()))
                    .data("val_records", Integer.toString(valRows.size())).data(ANSWER_RECORDS, Integer.toString(answerRecords))
                    .data(ANSWER_TOKENS, Integer.toString(answerTokens));
            if (!validationData.isEmpty()) {
                b.data(VAL_FILES, names(validationData));
            }
            if (owns) {
                b.owning(m);
            }
            return b.build();
        }

        private List<SftRecord> read(List<Path> files, BadRecords bad) throws IOException {
            return format == null ? SftReader.read(files, bad) : SftReader.read(files, format, bad);
        }

        private List<PaddedRecordSource.Record> encode(SftEncoder encoder, List<SftRecord> records, BadRecords bad, String what)
                throws IOException {
            List<SftExample> examples = encoder.encodeAll(records, bad);
            report.accept(what + " examples: " + Truncation.summary(examples.stream().map(SftExample::truncation).toList()));
            List<PaddedRecordSource.Record> rows = new ArrayList<>();
            int unlabelled = 0;
            for (SftExample e : examples) {
                if (e.tokens().labelCount() == 0) {
                    unlabelled++; // nothing to learn (a response cut away entirely): a batch of such rows has no loss
                    continue;
                }
                int[] ids = e.tokens().ids();
                long[] longIds = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    longIds[i] = ids[i];
                }
                rows.add(new PaddedRecordSource.Record(longIds, e.tokens().lossMask()));
            }
            if (unlabelled > 0) {
                report.accept(unlabelled + " " + what + " examples left out: no token of theirs is trained");
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("no " + what + " example has a token to train on (" + records.size() + " records read)");
            }
            return rows;
        }

        private static PaddedRecordSource.Builder records(List<PaddedRecordSource.Record> records, int batchSize, long padId, Long seed) {
            PaddedRecordSource.Builder b = PaddedRecordSource.builder(records).batchSize(batchSize).padId(padId);
            if (seed != null) {
                b.shuffle(seed);
            }
            return b;
        }

        private static String names(List<Path> files) {
            return files.stream().map(Path::toString).collect(Collectors.joining(","));
        }
    }

    /** {@code [train, held out]}: {@code fraction} of the records (at least one) chosen from the seed, each part in file order. */
    static List<List<SftRecord>> holdOut(List<SftRecord> records, double fraction, long seed) {
        if (records.size() < 2) {
            throw new IllegalArgumentException("holding out records needs at least 2, found " + records.size() + ": pass validation files");
        }
        int n = records.size();
        int held = Math.max(1, (int) Math.round(n * fraction));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed ^ SPLIT_STREAM));
        boolean[] isHeld = new boolean[n];
        for (int i = 0; i < held; i++) {
            isHeld[order.get(i)] = true;
        }
        List<SftRecord> train = new ArrayList<>();
        List<SftRecord> val = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (isHeld[i] ? val : train).add(records.get(i));
        }
        return List.of(train, val);
    }
}
