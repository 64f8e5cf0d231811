package dev.llmforge.alignment.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.io.CheckpointFormatException;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.ScalarHead;
import dev.llmforge.nn.Module;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reward model: a GPT body (the SFT model without its language-model head in use) and a {@link ScalarHead}
 * read at each row's last real token, found by the attention mask — right or left padding alike, and a
 * padding id equal to EOS. A score is the head's output minus a normalisation offset (0 until
 * {@link #normalise} sets it so that given responses, SFT answers say, average 0).
 *
 * <p>Parameters: {@code body.*} (the GPT's own names) and {@code head.summary.weight/bias}. As a
 * {@link Module} it is one trainable model (PPO's value model, {@link #copy()}); the reward trainer trains
 * {@link #body()} and {@link #head()} as two named models, so that its checkpoints are reward-model
 * directories too.
 *
 * <p>A directory ({@link #save}, {@link #load}): the body as a plain model checkpoint ({@code model.safetensors},
 * {@code config.json}, what {@code llmforge generate} reads), the head's weight and bias in
 * {@value #HEAD_FILE} (the name the trainer gives a second model named {@code head}), and the offset in
 * {@value #NORMALISATION_FILE} (absent: 0, as in a checkpoint written during training).
 */
public final class RewardModel extends Module {
    /** The head's weights in a reward-model directory. */
    public static final String HEAD_FILE = "model.head.safetensors";
    /** The normalisation offset in a reward-model directory. */
    public static final String NORMALISATION_FILE = "reward.json";
    private static final String OFFSET_KEY = "offset";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Gpt body;
    private final ScalarHead head;
    private double offset;

    /** A reward model of {@code body} and {@code head}; it owns both (closing it closes them). */
    public RewardModel(Gpt body, ScalarHead head, double offset) {
        this.body = registerModule("body", body);
        this.head = registerModule("head", head);
        this.offset = offset;
    }

    /** A reward model with {@code body} (an SFT or base model, now owned by it) and a fresh head drawn from {@code seed}. */
    public static RewardModel withFreshHead(Gpt body, long seed) {
        return new RewardModel(body, ScalarHead.of(body, seed), 0);
    }

    /** The model of a checkpoint directory (SFT or base) as the body of a reward model with a fresh head. */
    public static RewardModel fromCheckpoint(Path dir, Backend backend, long seed) throws IOException {
        return withFreshHead(Checkpoint.loadModel(dir, backend), seed);
    }

    /** A reward model saved by {@link #save} (or a reward trainer's checkpoint), F32 on {@code backend}'s CPU. */
    public static RewardModel load(Path dir, Backend backend) throws IOException {
        Gpt body = Checkpoint.loadModel(dir, backend);
        try {
            ScalarHead head = ScalarHead.of(body, 0);
            Checkpoint.loadWeights(dir, HEAD_FILE, head);
            return new RewardModel(body, head, readOffset(dir));
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    private static double readOffset(Path dir) throws IOException {
        Path file = dir.resolve(NORMALISATION_FILE);
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        JsonNode node = JSON.readTree(file.toFile()).get(OFFSET_KEY);
        if (node == null || !node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw new CheckpointFormatException(file + ": expected {\"" + OFFSET_KEY + "\": a finite number}, found " + Files.readString(file));
        }
        return node.asDouble();
    }

    /** Writes this model to {@code dir} (replaced atomically); add a tokenizer with {@link #save(Path, String)}. */
    public void save(Path dir) throws IOException {
        save(dir, null);
    }

    /** Writes this model and, if not null, the tokenizer's JSON to {@code dir} (replaced atomically). */
    public void save(Path dir, String tokenizerJson) throws IOException {
        Checkpoint.Writer writer = Checkpoint.writer(dir).model(body).weights(HEAD_FILE, head).file(NORMALISATION_FILE, normalisationJson());
        if (tokenizerJson != null) {
            writer.tokenizerJson(tokenizerJson);
        }
        writer.write();
    }

    private byte[] normalisationJson() throws IOException {
        ObjectNode node = JSON.createObjectNode().put(OFFSET_KEY, offset);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A copy with weights of its own, on the same backend, device and dtype (PPO's value model starts as the reward
     * model, as in InstructGPT): training one never changes the other. The offset is copied too.
     */
    public RewardModel copy() {
        Gpt bodyCopy = Gpt.forLoading(body.config(), factoryOf(body), body.parameters().get(0).dtype());
        bodyCopy.loadParameters(copies(body));
        ScalarHead headCopy = ScalarHead.of(bodyCopy, 0);
        headCopy.loadParameters(copies(head));
        return new RewardModel(bodyCopy, headCopy, offset);
    }

    private static TensorFactory factoryOf(Module m) {
        Tensor any = m.parameters().get(0);
        return Tensor.on(any.backend(), any.device());
    }

    private static Map<String, Tensor> copies(Module m) {
        TensorFactory tensors = factoryOf(m);
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((name, t) -> out.put(name, tensors.fromBuffer(t.toBuffer(), t.shape(), t.dtype())));
        return out;
    }

    /**
     * The scores (B) of token ids (B, T) with an attention mask (B, T) of 0/1 (1 = real token): the head at each
     * row's last real token, minus the offset. A row's score is the one it gets alone, whatever the padding.
     */
    public Tensor score(Tensor ids, Tensor attentionMask) {
        Tensor raw = head.atLastToken(body.hiddenStates(ids, attentionMask), attentionMask); // (B)
        return offset == 0 ? raw : raw.sub(offset);
    }

    /**
     * A value per position (B, T) of token ids (B, T) with an attention mask (B, T): the head everywhere minus the
     * offset (PPO's values), so that a value model copied from a normalised reward model starts on the scale of the
     * scores it predicts: its value at a row's last real token is the row's score.
     */
    public Tensor values(Tensor ids, Tensor attentionMask) {
        Tensor raw = head.forward(body.hiddenStates(ids, attentionMask)); // (B, T)
        return offset == 0 ? raw : raw.sub(offset);
    }

    /**
     * The scores of token sequences (each with at least one token), right-padded in batches of {@code batchSize},
     * without gradients and in evaluation mode (the mode is restored).
     */
    public double[] scoreAll(List<int[]> sequences, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        TensorFactory tensors = factoryOf(body);
        double[] out = new double[sequences.size()];
        boolean training = isTraining();
        eval();
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            for (int start = 0; start < sequences.size(); start += batchSize) {
                List<int[]> rows = sequences.subList(start, Math.min(sequences.size(), start + batchSize));
                int t = rows.stream().mapToInt(r -> r.length).max().orElseThrow();
                long[] ids = new long[rows.size() * t];
                float[] mask = new float[rows.size() * t];
                for (int b = 0; b < rows.size(); b++) {
                    for (int i = 0; i < rows.get(b).length; i++) {
                        ids[b * t + i] = rows.get(b)[i];
                        mask[b * t + i] = 1;
                    }
                }
                try (TensorScope scope = TensorScope.open()) {
                    double[] scores = score(tensors.of(ids, rows.size(), t), tensors.of(mask, rows.size(), t)).toDoubleArray(); // (B)
                    System.arraycopy(scores, 0, out, start, scores.length);
                }
            }
        } finally {
            train(training);
        }
        return out;
    }

    /** The offset subtracted from every score. */
    public double offset() {
        return offset;
    }

    /**
     * Sets the offset so that {@code scores}, computed by {@link #score} with the current offset, would average 0
     * (InstructGPT normalises its reward model so that SFT answers average 0). Returns the new offset.
     */
    public double normalise(double[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("normalising a reward model needs at least one score");
        }
        double sum = 0;
        for (double s : scores) {
            sum += s;
        }
        offset += sum / scores.length;
        return offset;
    }

    public Gpt body() {
        return body;
    }

    public ScalarHead head() {
        return head;
    }
}
