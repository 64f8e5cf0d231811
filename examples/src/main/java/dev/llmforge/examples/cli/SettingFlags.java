package dev.llmforge.examples.cli;

import dev.llmforge.training.PretrainSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@link PretrainSettings} keys as flags ({@code --lr}, {@code --max-iters}, {@code --n-layer}, ...), shared by the
 * training commands: each command adds the keys it takes, documented with its own defaults, and reads back the ones
 * given on its command line.
 */
final class SettingFlags {
    private SettingFlags() {
    }

    /** Adds one flag per key of {@code defaults}, documented with the key's description and its default value. */
    static void add(CommandSpec spec, Map<String, Object> defaults) {
        Map<String, String> descriptions = PretrainSettings.descriptions();
        defaults.forEach((key, value) -> {
            OptionSpec.Builder option = OptionSpec.builder("--" + key).description(descriptions.get(key) + " (default: " + value + ")");
            if (value instanceof Boolean) {
                option.type(Boolean.class).negatable(true).arity("0..1").paramLabel("true|false");
            } else {
                option.type(String.class).arity("1").paramLabel(value instanceof Double ? "X" : value instanceof Number ? "N" : "stop|skip");
            }
            spec.addOption(option.build());
        });
    }

    /** The setting flags given on the command line, by the flag as typed ({@code --dropout}), so that errors name it. */
    static Map<String, String> given(CommandSpec spec) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String flag = o.longestName();
            if (PretrainSettings.canonical(flag) != null) {
                flags.put(flag, String.valueOf((Object) o.getValue()));
            }
        }
        return flags;
    }
}
