package dev.llmforge.alignment.answers;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final numeric answer of a response: the number after the first "The answer is" (any case, an optional
 * colon or dollar sign between), else the last number in the text. This is the rule of Wang et al.'s
 * self-consistency and of GSM8K chain-of-thought evaluations, written down so that every caller extracts the
 * same way.
 *
 * <p>A number is an optional minus sign (only when it does not follow a digit, so "70 - 3" and "70-3" read as 70
 * and 3), digits with optional thousands commas ("1,000") and an optional decimal part ("2.5"; a full stop
 * after the digits ends a sentence, it is not a decimal point). Numbers are compared in canonical form
 * ({@link #canonical}): no commas, no trailing decimal zeros, so "67", "67.0" and "067" are one answer.
 */
public final class FinalNumber {
    private static final String NUMBER = "(?<![\\d.])-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?";
    private static final Pattern NUMBER_PATTERN = Pattern.compile(NUMBER);
    private static final Pattern AFTER_THE_ANSWER_IS =
            Pattern.compile("(?i)\\bthe answer is[\\s:$]*(" + NUMBER + ")");

    private FinalNumber() {
    }

    /** The canonical final number of {@code response}, or empty when it holds no number at all. */
    public static Optional<String> extract(String response) {
        Optional<String> stated = stated(response);
        if (stated.isPresent()) {
            return stated;
        }
        Matcher any = NUMBER_PATTERN.matcher(response);
        String last = null;
        while (any.find()) {
            last = any.group();
        }
        return Optional.ofNullable(last).map(FinalNumber::canonical);
    }

    /** The canonical number after the first "The answer is", or empty when the response states none. */
    public static Optional<String> stated(String response) {
        Matcher stated = AFTER_THE_ANSWER_IS.matcher(response);
        return stated.find() ? Optional.of(canonical(stated.group(1))) : Optional.empty();
    }

    /** True when {@code text} (trimmed) is one number, e.g. an expected answer "67" or "1,000". */
    public static boolean isNumber(String text) {
        return text != null && NUMBER_PATTERN.matcher(text.strip()).matches();
    }

    /** {@code number} without commas and trailing decimal zeros: "1,000" → "1000", "67.50" → "67.5", "-0" → "0". */
    public static String canonical(String number) {
        BigDecimal value = new BigDecimal(number.strip().replace(",", ""));
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }
}
