package dev.llmforge.examples.cli;

import dev.llmforge.tensor.BackendNotFoundException;
import dev.llmforge.training.NonFiniteLossException;
import dev.llmforge.training.OutputDirectoryException;
import dev.llmforge.training.PretrainSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code llmforge} command line: {@code prepare} (text → token files), {@code pretrain} (train a
 * base model), {@code generate} (sample text from a checkpoint), {@code sft} (fine-tune on conversations),
 * {@code chat} (talk with a fine-tuned model), {@code eval} (accuracy on questions with known answers, in a prompt
 * style), {@code world} (generate the story's data), {@code reward} (train a reward model on preference pairs),
 * {@code dpo} (DPO on preference pairs), {@code ppo} and {@code grpo} (optimise an SFT model with rewards),
 * {@code story} (all of it, evaluated, in one report). Run without arguments, prepare, pretrain and generate work
 * on Tiny Shakespeare, which ships with
 * this module.
 */
@Command(name = "llmforge", mixinStandardHelpOptions = true, version = "llmforge 0.1.0-SNAPSHOT",
        description = "Build, pretrain and sample GPT-style language models on the JVM.",
        subcommands = {PrepareCommand.class, PretrainCommand.class, GenerateCommand.class, SftCommand.class, ChatCommand.class,
                EvalCommand.class, WorldCommand.class, LabelCommand.class, RewardCommand.class, DpoCommand.class, PpoCommand.class, GrpoCommand.class,
                StoryCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Quick start on Tiny Shakespeare (the default corpus):",
                "  llmforge pretrain                    # nanoGPT's CPU run, val loss about 1.88",
                "  llmforge generate --prompt \"ROMEO:\"  # sample from out/shakespeare-char/best",
                "Run `llmforge help COMMAND` for a command's options."})
public final class Llmforge implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true"); // the loss chart is drawn off screen, also on desktops
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand and error handling set up (also for tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Llmforge());
        cl.setExpandAtFiles(false); // --prompt @notes.txt is the text "@notes.txt"; --prompt-file reads a file
        PretrainCommand.addSettingOptions(cl.getSubcommands().get("pretrain").getCommandSpec());
        SettingFlags.add(cl.getSubcommands().get("sft").getCommandSpec(), PretrainSettings.trainingValues(SftCommand.defaults()));
        WorldCommand.addSizeOptions(cl.getSubcommands().get("world").getCommandSpec());
        SettingFlags.add(cl.getSubcommands().get("reward").getCommandSpec(), PretrainSettings.trainingValues(RewardCommand.DEFAULTS));
        SettingFlags.add(cl.getSubcommands().get("dpo").getCommandSpec(), PretrainSettings.trainingValues(DpoCommand.DEFAULTS));
        for (String rl : new String[] {"ppo", "grpo"}) {
            SettingFlags.add(cl.getSubcommands().get(rl).getCommandSpec(), PretrainSettings.trainingValues(RolloutOptions.defaults()));
        }
        cl.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (!isUserError(e)) {
                throw e;
            }
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message(e)));
            cmd.getErr().flush();
            return 1;
        });
        return cl;
    }

    /** Errors caused by the input (files, flags, data), reported by message alone; anything else is a bug and keeps its stack trace. */
    static boolean isUserError(Exception e) {
        return e instanceof IOException || e instanceof UncheckedIOException || e instanceof IllegalArgumentException
                || e instanceof OutputDirectoryException || e instanceof NonFiniteLossException || e instanceof BackendNotFoundException;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            m = m + ": " + e.getCause().getMessage();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            m = "no such file: " + m;
        }
        return m == null ? e.toString() : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
