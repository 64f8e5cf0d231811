package dev.llmforge.training;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.data.TokenDataset;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.data.WindowSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pretraining of a {@link Gpt} on a {@link TokenData} set, as nanoGPT's {@code train.py}: a
 * {@link Trainer} with the {@link NextTokenObjective}, random (B, T) windows of the train split
 * from a seeded generator, one AdamW with weight decay on matrices and embeddings only, nanoGPT's
 * warmup and cosine schedule, and evaluation on windows of both splits ({@code train_loss},
 * {@code val_loss}) from a second generator (so evaluating never changes the training batches).
 *
 * <pre>{@code
 * TokenData data = TokenData.open(Path.of("out/shakespeare-char"));
 * try (Trainer trainer = Pretraining.builder()
 *         .backend(Backends.get("djl"))
 *         .data(data)
 *         .model(GptConfig.shakespeareChar(data.vocabSize()))
 *         .config(TrainingConfig.nanoGptShakespeareChar())
 *         .outputDir(Path.of("out/shakespeare-char"))        // ckpt/, best/, metrics.jsonl, loss.png
 *         .listener(new ConsoleProgress(System.out, 10))
 *         .build()) {
 *     TrainingResult result = trainer.run();
 * }
 * }</pre>
 */
public final class Pretraining {
    /** The evaluation source of windows of the train split (its metric: {@code train_loss}). */
    /** The {@link TrainingState#data()} keys of the token files' checksums ({@link TokenDataset#checksum()}). */
    static final String TRAIN_CHECKSUM = "train_crc32c";
    static final String VAL_CHECKSUM = "val_crc32c";
    public static final String TRAIN_SPLIT = "train";
    /** The evaluation source of windows of the validation split ({@code val_loss}). */
    public static final String VAL_SPLIT = "val";

    private static final Logger LOG = LoggerFactory.getLogger(Pretraining.class);
    private static final long TRAIN_STREAM = 0x7261696EL;
    private static final long EVAL_STREAM = 0x6576616CL;

    private Pretraining() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings of a pretraining run; {@link #data} is required, everything else has a default (the configuration:
     * {@link TrainingConfig#nanoGptShakespeareChar()}).
     */
    public static final class Builder extends RecipeBuilder<Builder> {
        private TokenData data;
        private GptConfig modelConfig;
        private Gpt model;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The prepared data (required). */
        public Builder data(TokenData v) {
            data = v;
            return this;
        }

        /**
         * A fresh model of this shape, initialised from the training seed (default
         * {@link GptConfig#shakespeareChar} for the data's vocabulary). The trainer owns it.
         */
        public Builder model(GptConfig v) {
            modelConfig = v;
            model = null;
            return this;
        }

        /** An existing model to train further (its parameters change in place; the caller keeps ownership). */
        public Builder model(Gpt v) {
            model = v;
            modelConfig = null;
            return this;
        }

        /** Which parameters get weight decay (default {@link AdamW#MATRICES}: rank >= 2, as nanoGPT). */
        public Builder weightDecayWhen(BiPredicate<String, Tensor> v) {
            trainer().weightDecayWhen(v);
            return this;
        }

        /**
         * Creates the trainer: builds or loads the model and checks that model, data and checkpoint agree.
         *
         * @throws IOException              if the checkpoint cannot be read
         * @throws IllegalArgumentException if the model's vocabulary or tokenizer differs from the data's
         * @throws dev.llmforge.model.InsufficientMemoryException if the run's {@link TrainingMemory} estimate exceeds the memory there is
         * @throws OutputDirectoryException if a fresh run would replace an earlier run's checkpoint without {@link #overwrite}
         */
        public Trainer build() throws IOException {
            if (data == null) {
                throw new IllegalStateException("pretraining needs data (Builder.data)");
            }
            Backend backend = chosenBackend();
            Path resumeFrom = resumeDir();
            TrainingConfig training = chosenConfig();
            if (resumeFrom != null) {
                if (model != null || modelConfig != null) {
                    throw new IllegalStateException("resumeFrom loads the model from the checkpoint: do not also set a model");
                }
                TrainingState resumed = TrainingCheckpoint.readState(resumeFrom);
                training = training != null ? training : resumed.config();
                checkVocabulary(Checkpoint.loadConfig(resumeFrom));
                checkTokenizer(resumeFrom);
                checkSameData(resumed, resumeFrom);
            } else if (training == null) {
                training = TrainingConfig.nanoGptShakespeareChar();
            }
            boolean owns = model == null;
            GptConfig config = resumeFrom != null ? Checkpoint.loadConfig(resumeFrom)
                    : model != null ? model.config() : modelConfig != null ? modelConfig : GptConfig.shakespeareChar(data.vocabSize());
            TrainingMemory memory = TrainingMemory.estimate(config, training, backend);
            if (owns) { // a model given by the caller already takes its part of the memory that is measured
                memory.requireFits(backend);
            }
            LOG.info("memory: " + memory.describe());
            Gpt m;
            if (resumeFrom != null) {
                m = Gpt.forLoading(config, Tensor.on(backend), DType.F32); // the trainer loads its weights
            } else if (model == null) {
                m = new Gpt(config, backend, training.seed());
            } else {
                m = model;
            }
            try {
                checkVocabulary(m.config());
                return buildTrainer(m, owns, training);
            } catch (IOException | RuntimeException e) {
                if (owns) {
                    m.close();
                }
                throw e;
            }
        }

        private Trainer buildTrainer(Gpt m, boolean owns, TrainingConfig training) throws IOException {
            int block = m.config().blockSize();
            Rng evalRng = new Rng(training.seed() ^ EVAL_STREAM); // both evaluation sources draw from it, in turn
            Trainer.Builder b = trainer().backend(chosenBackend()).config(training).model(Trainer.DEFAULT_MODEL, m).objective(new NextTokenObjective(m))
                    .trainSource(new WindowSource(data.train(), training.batchSize(), block, new Rng(training.seed() ^ TRAIN_STREAM)))
                    .evalSource(TRAIN_SPLIT, new WindowSource(data.train(), training.batchSize(), block, evalRng))
                    .evalSource(VAL_SPLIT, new WindowSource(data.val(), training.batchSize(), block, evalRng))
                    .tokenizerJson(TokenizerFiles.toJson(data.tokenizer())).data("directory", data.directory().toString())
                    .data("train_tokens", Long.toString(data.train().size())).data("val_tokens", Long.toString(data.val().size()))
                    .data(TRAIN_CHECKSUM, data.train().checksum()).data(VAL_CHECKSUM, data.val().checksum());
            if (owns) {
                b.owning(m);
            }
            Trainer trainer = b.build();
            LOG.info("data: " + data.describe());
            return trainer;
        }

        private void checkVocabulary(GptConfig c) {
            if (c.vocabSize() != data.vocabSize()) {
                throw new IllegalArgumentException("vocabulary mismatch: the model has " + c.vocabSize() + " tokens, the data in "
                        + data.directory() + " was encoded with " + data.vocabSize() + " (" + TokenizerFiles.describe(data.tokenizer()) + ")");
            }
        }

        private void checkTokenizer(Path checkpoint) throws IOException {
            if (Files.isRegularFile(checkpoint.resolve(Checkpoint.TOKENIZER))) {
                String saved = Files.readString(checkpoint.resolve(Checkpoint.TOKENIZER));
                if (!saved.equals(TokenizerFiles.toJson(data.tokenizer()))) {
                    throw new IllegalArgumentException("tokenizer mismatch: the data in " + data.directory() + " was encoded with "
                            + TokenizerFiles.describe(data.tokenizer()) + ", different from the tokenizer saved in " + checkpoint + " ("
                            + TokenizerFiles.describe(TrainingCheckpoint.tokenizer(checkpoint)) + ")");
                }
            }
        }

        /** The data of a resumed run is the data it trained on: same sizes and, where recorded, the same checksums of the token files. */
        private void checkSameData(TrainingState s, Path checkpoint) throws IOException {
            String where = checkpoint.resolve(TrainingCheckpoint.STATE_FILE) + " data.";
            for (TokenDataset split : List.of(data.train(), data.val())) {
                boolean train = split == data.train();
                String sizeKey = train ? "train_tokens" : "val_tokens";
                String sumKey = train ? TRAIN_CHECKSUM : VAL_CHECKSUM;
                String size = s.data().get(sizeKey);
                if (size != null && !size.equals(Long.toString(split.size()))) {
                    throw new IllegalArgumentException(where + sizeKey + " records " + size + " tokens, " + split.path() + " has " + split.size()
                            + ": resume with the data the run trained on (pass its --data), or start a new run");
                }
                String sum = s.data().get(sumKey);
                if (sum != null && !sum.equals(split.checksum())) {
                    throw new IllegalArgumentException(where + sumKey + " records " + sum + ", " + split.path() + " has " + split.checksum()
                            + ": same size, other tokens; resume with the data the run trained on, or start a new run");
                }
            }
        }
    }
}
