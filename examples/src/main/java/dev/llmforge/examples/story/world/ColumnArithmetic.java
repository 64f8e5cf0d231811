package dev.llmforge.examples.story.world;

import java.util.Locale;

/**
 * Additions and subtractions of whole numbers written out for a worked solution, in one of the
 * {@link SolutionStyle}s. Both operands are non-negative and a difference is never negative.
 */
final class ColumnArithmetic {
    private static final String[] PLACES = {"ones", "tens", "hundreds"};

    private ColumnArithmetic() {
    }

    /** "a + b = sum" or its columns. */
    static String add(int a, int b, SolutionStyle style) {
        String equation = a + " + " + b + " = " + (a + b);
        if (style == SolutionStyle.COMPACT || (a < 10 && b < 10)) {
            return equation;
        }
        StringBuilder text = new StringBuilder(a + " + " + b + ":");
        int carry = 0;
        for (int place = 0, x = a, y = b; x > 0 || y > 0; place++, x /= 10, y /= 10) {
            int sum = x % 10 + y % 10 + carry;
            text.append(place == 0 ? " " : ", ").append(PLACES[place]).append(' ').append(x % 10).append(" + ").append(y % 10);
            if (carry > 0) {
                text.append(" + ").append(carry);
            }
            text.append(" = ").append(sum);
            carry = sum / 10;
            if (carry > 0 && (x >= 10 || y >= 10)) {
                text.append(" carry 1");
            }
        }
        return text.append(", so ").append(equation).toString();
    }

    /** "a - b = difference" or its columns. */
    static String subtract(int a, int b, SolutionStyle style) {
        if (b > a) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%d - %d would be negative", a, b));
        }
        String equation = a + " - " + b + " = " + (a - b);
        if (style == SolutionStyle.COMPACT || a < 10) {
            return equation;
        }
        StringBuilder text = new StringBuilder(a + " - " + b + ":");
        int borrowIn = 0;
        for (int place = 0, x = a, y = b; x > 0; place++, x /= 10, y /= 10) {
            int top = x % 10;
            int bottom = y % 10;
            int borrowOut = top - borrowIn < bottom ? 1 : 0;
            text.append(place == 0 ? " " : ", ").append(PLACES[place]).append(' ').append(top + 10 * borrowOut)
                    .append(" - ").append(bottom);
            if (borrowIn > 0) {
                text.append(" - 1");
            }
            text.append(" = ").append(top + 10 * borrowOut - bottom - borrowIn);
            if (borrowOut > 0) {
                text.append(" borrow 1");
            }
            borrowIn = borrowOut;
        }
        return text.append(", so ").append(equation).toString();
    }
}
