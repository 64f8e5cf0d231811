package dev.llmforge.training.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small part of Python's pickle format that nanoGPT's {@code meta.pkl} uses: dicts, lists,
 * strings, integers, booleans and None. Reading rejects every other opcode with a clear error
 * (a pickle can run code in Python; here unknown content is simply refused).
 */
public final class Pickle {
    private Pickle() {
    }

    /** Serialises maps, lists, strings, Integer/Long and Boolean with protocol 2. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        writeValue(out, value);
        out.write('.');
        return out.toByteArray();
    }

    private static void writeValue(ByteArrayOutputStream out, Object v) {
        if (v == null) {
            out.write('N');
        } else if (v instanceof Boolean b) {
            out.write(b ? 0x88 : 0x89);
        } else if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                out.write('J');
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) n).array());
            } else {
                out.write(0x8a);
                out.write(8);
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
            }
        } else if (v instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
            out.writeBytes(utf8);
        } else if (v instanceof Map<?, ?> m) {
            out.write('}');
            if (!m.isEmpty()) {
                out.write('(');
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    writeValue(out, e.getKey());
                    writeValue(out, e.getValue());
                }
                out.write('u');
            }
        } else if (v instanceof List<?> l) {
            out.write(']');
            if (!l.isEmpty()) {
                out.write('(');
                for (Object o : l) {
                    writeValue(out, o);
                }
                out.write('e');
            }
        } else {
            throw new IllegalArgumentException("pickle: cannot write " + v.getClass().getName());
        }
    }

    /** Reads a pickle of dicts, lists, strings, ints, bools and None. */
    public static Object read(byte[] data) {
        return new Reader(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)).run();
    }

    private static final class Reader {
        private static final Object MARK = new Object();
        private final ByteBuffer in;
        private final Deque<Object> stack = new ArrayDeque<>();
        private final Map<Long, Object> memo = new HashMap<>();

        Reader(ByteBuffer in) {
            this.in = in;
        }

        Object run() {
            try {
                while (true) {
                    int op = in.get() & 0xff;
                    switch (op) {
                        case 0x80 -> in.get(); // PROTO n
                        case 0x95 -> in.getLong(); // FRAME size
                        case '.' -> {
                            return pop();
                        }
                        case '}' -> stack.push(new LinkedHashMap<>());
                        case ']' -> stack.push(new ArrayList<>());
                        case '(' -> stack.push(MARK);
                        case 'N' -> stack.push(NONE);
                        case 0x88 -> stack.push(Boolean.TRUE);
                        case 0x89 -> stack.push(Boolean.FALSE);
                        case 'K' -> stack.push((long) (in.get() & 0xff));
                        case 'M' -> stack.push((long) (in.getShort() & 0xffff));
                        case 'J' -> stack.push((long) in.getInt());
                        case 0x8a -> stack.push(readLong1());
                        case 0x8c -> stack.push(string(in.get() & 0xff));
                        case 'X' -> stack.push(string(in.getInt() & 0xffffffffL));
                        case 0x8d -> stack.push(string(in.getLong()));
                        case 0x94 -> memo.put((long) memo.size(), stack.peek());
                        case 'q' -> memo.put((long) (in.get() & 0xff), stack.peek());
                        case 'r' -> memo.put(in.getInt() & 0xffffffffL, stack.peek());
                        case 'h' -> stack.push(recall(in.get() & 0xff));
                        case 'j' -> stack.push(recall(in.getInt() & 0xffffffffL));
                        case 's' -> {
                            Object value = pop();
                            Object key = hashableKey(pop());
                            dict(stack.peek()).put(key, value);
                        }
                        case 'u' -> {
                            List<Object> items = popToMark();
                            if (items.size() % 2 != 0) {
                                throw new IllegalArgumentException("pickle: SETITEMS at byte " + (in.position() - 1) + " has an odd number of items ("
                                        + items.size() + "), expected key-value pairs");
                            }
                            Map<Object, Object> d = dict(stack.peek());
                            for (int i = 0; i + 1 < items.size(); i += 2) {
                                d.put(hashableKey(items.get(i)), items.get(i + 1));
                            }
                        }
                        case 'a' -> {
                            Object value = pop();
                            list(stack.peek()).add(value);
                        }
                        case 'e' -> {
                            List<Object> items = popToMark();
                            list(stack.peek()).addAll(items);
                        }
                        default -> throw new IllegalArgumentException(String.format(
                                "pickle: unsupported opcode 0x%02x at byte %d (only dicts, lists, strings and numbers are read)", op, in.position() - 1));
                    }
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("pickle: truncated data at byte " + in.position(), e);
            }
        }

        private long readLong1() {
            int n = in.get() & 0xff;
            if (n > 8) {
                throw new IllegalArgumentException("pickle: integer of " + n + " bytes is too large");
            }
            long v = 0;
            for (int i = 0; i < n; i++) {
                v |= (long) (in.get() & 0xff) << (8 * i);
            }
            if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
                v -= 1L << (8 * n);
            }
            return v;
        }

        private String string(long length) {
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("pickle: string of " + Long.toUnsignedString(length) + " bytes at byte " + in.position()
                        + " runs past the end of the data (" + in.remaining() + " bytes left)");
            }
            byte[] b = new byte[(int) length];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private Object recall(long key) {
            Object v = memo.get(key);
            if (v == null) {
                throw new IllegalArgumentException("pickle: memo key " + key + " was never stored");
            }
            return v;
        }

        private Object pop() {
            if (stack.isEmpty()) {
                throw new IllegalArgumentException("pickle: stack underflow at byte " + in.position());
            }
            Object v = stack.pop();
            if (v == MARK) {
                throw new IllegalArgumentException("pickle: a MARK used as a value at byte " + (in.position() - 1));
            }
            return v == NONE ? null : v;
        }

        /** The items above the topmost MARK, bottom first (one pass, so a long run of items stays linear in time). */
        private List<Object> popToMark() {
            List<Object> items = new ArrayList<>();
            while (!stack.isEmpty() && stack.peek() != MARK) {
                items.add(pop());
            }
            if (stack.isEmpty()) {
                throw new IllegalArgumentException("pickle: no MARK before byte " + in.position());
            }
            stack.pop();
            Collections.reverse(items);
            return items;
        }

        /**
         * A dict key must be a string, number, bool or None: a list or dict is unhashable in Python, and
         * here its hash code would recurse without end through a list that contains itself.
         */
        private Object hashableKey(Object key) {
            if (key == null || key instanceof String || key instanceof Long || key instanceof Boolean) {
                return key;
            }
            throw new IllegalArgumentException("pickle: a " + typeName(key) + " used as a dict key at byte " + (in.position() - 1)
                    + " (keys must be strings, numbers, booleans or None)");
        }

        @SuppressWarnings("unchecked")
        private Map<Object, Object> dict(Object o) {
            if (o instanceof Map<?, ?> m) {
                return (Map<Object, Object>) m;
            }
            throw new IllegalArgumentException("pickle: expected a dict on the stack at byte " + in.position());
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Object o) {
            if (o instanceof List<?> l) {
                return (List<Object>) l;
            }
            throw new IllegalArgumentException("pickle: expected a list on the stack at byte " + in.position());
        }

        private static final Object NONE = new Object();
    }

    /** The Python type name of a value read by {@link #read}, for messages that must not print the value itself (it may contain itself). */
    public static String typeName(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Map<?, ?>) {
            return "dict";
        }
        if (v instanceof List<?>) {
            return "list";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        return v instanceof Long ? "int" : v.getClass().getSimpleName();
    }
}
