package dev.llmforge.examples.cli;

import dev.llmforge.alignment.sft.ChatSession;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge chat}: a conversation with a fine-tuned model in the terminal, replies streamed as they are sampled. */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Talk with a fine-tuned model.",
        description = {"A conversation in the model's chat template: type a message and press Enter; the reply streams as it is "
                + "sampled and ends at the template's end of turn. Earlier turns are sent with each message, the oldest left out "
                + "when they no longer fit the context.",
                "Commands: /reset forgets the conversation, /system TEXT sets a system message (/system alone removes it), "
                        + "/temperature X changes the sampling temperature (0: greedy), /help lists them. Ctrl-D (end of input) leaves.",
                "--prompt TEXT answers one message and exits.", ""},
        footer = {"", "Examples:", "  llmforge chat --checkpoint out/sft/best",
                "  llmforge chat --checkpoint out/sft/best --prompt \"What's 2+3?\" --temperature 0"})
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "a fine-tuned checkpoint (llmforge sft's best/ or ckpt/)")
    Path checkpoint;

    @Option(names = "--template", paramLabel = "chatml|human-assistant|qa",
            description = "chat template (default: the one the checkpoint was fine-tuned with, else qa)")
    String template;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "answer this one message and exit")
    String prompt;

    @Option(names = "--system", paramLabel = "TEXT", description = "a system message to start with (templates that have one: chatml)")
    String system;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.7", description = "sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "200", description = "the longest reply, in tokens (default: ${DEFAULT-VALUE}; "
            + "at most the context minus one)")
    int maxNewTokens;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "sampling seed; reply i samples from seed + i (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (!Files.isRegularFile(checkpoint.resolve(Checkpoint.WEIGHTS))) {
            throw new IOException(checkpoint + " is not a checkpoint: expected " + Checkpoint.WEIGHTS + " there");
        }
        ChatTemplate chatTemplate = ChatTemplate.named(template != null ? template : savedTemplate());
        Tokenizer tokenizer = TrainingCheckpoint.tokenizer(checkpoint);
        try (Gpt model = Checkpoint.loadModel(checkpoint, engine.resolve())) {
            int tokens = Math.min(maxNewTokens, model.config().blockSize() - 1);
            try (ChatSession session = new ChatSession(model, chatTemplate, tokenizer, tokens, temperature, seed)) {
                session.system(system);
                if (prompt != null) {
                    answer(session, prompt, w);
                    return 0;
                }
                converse(session, model.config().blockSize(), w);
            }
        }
        return 0;
    }

    /** The template saved by {@code llmforge sft} in the checkpoint's {@code trainer.json}, else qa. */
    private String savedTemplate() throws IOException {
        if (TrainingCheckpoint.exists(checkpoint)) {
            return TrainingCheckpoint.readState(checkpoint).data().getOrDefault("template", "qa");
        }
        return "qa";
    }

    private void converse(ChatSession session, int context, PrintWriter w) throws IOException {
        w.println("chatting with " + checkpoint + " (context " + context + " tokens, temperature " + session.temperature()
                + "). /help for commands, Ctrl-D to leave.");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            w.print("> ");
            w.flush();
            String line = in.readLine();
            if (line == null) {
                w.println();
                w.flush();
                return;
            }
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("/")) {
                command(session, line.strip(), w);
            } else {
                answer(session, line, w);
            }
        }
    }

    private static void command(ChatSession session, String line, PrintWriter w) {
        String name = line.split("\\s+", 2)[0];
        String argument = line.length() > name.length() ? line.substring(name.length()).strip() : "";
        switch (name) {
            case "/reset" -> {
                session.reset();
                w.println("(conversation forgotten)");
            }
            case "/system" -> {
                session.system(argument);
                w.println(argument.isEmpty() ? "(no system message)" : "(system message set)");
            }
            case "/temperature" -> {
                try {
                    session.temperature(Double.parseDouble(argument));
                    w.println("(temperature " + session.temperature() + ")");
                } catch (IllegalArgumentException e) {
                    w.println("(expected /temperature X with X a number >= 0, found \"" + argument + "\")");
                }
            }
            case "/help" -> w.println("/reset  /system TEXT  /temperature X  Ctrl-D to leave");
            default -> w.println("(unknown command " + name + "; /help lists them)");
        }
        w.flush();
    }

    private static void answer(ChatSession session, String message, PrintWriter w) {
        ChatSession.Reply reply;
        try {
            reply = session.reply(message, piece -> {
                w.print(piece);
                w.flush();
            });
        } catch (IllegalArgumentException e) { // e.g. a system message in a template without one
            w.println("(" + e.getMessage() + ")");
            w.flush();
            return;
        }
        w.println();
        if (reply.turnsLeftOut() > 0) {
            w.printf(Locale.ROOT, "(the %d oldest messages no longer fit the context and were left out)%n", reply.turnsLeftOut());
        }
        if (!reply.endedAtEndOfTurn()) {
            w.println("(reply cut at the token limit)");
        }
        w.flush();
    }
}
