package dev.llmforge.backend.djl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The TorchScript archive of a module with no state: what {@code torch.jit.save} writes for a
 * scripted module whose only attribute is {@code training}, so that PyTorch's loader compiles the
 * module's source and returns it. Holds the code, the pickled module object, the (empty)
 * constants table and the format version.
 */
final class TorchScriptArchive {
    /** Serialization format version: one PyTorch 2.x reads without upgrading any operator. */
    private static final String FORMAT_VERSION = "10";

    private TorchScriptArchive() {
    }

    /** Writes the archive of a module of class {@code __torch__.<className>} with source {@code code}. */
    static void write(OutputStream out, String className, String code) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "archive/data.pkl", moduleObject(className));
            stored(zip, "archive/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, "archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
            stored(zip, "archive/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Pickle (protocol 2) of the module object: GLOBAL class, NEWOBJ, BUILD with {'training': False}. */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x80);
        o.write(2);
        o.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        o.write(')'); // EMPTY_TUPLE
        o.write(0x81); // NEWOBJ
        o.write('}'); // EMPTY_DICT
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        o.write('X'); // BINUNICODE, 4-byte little-endian length
        o.write(key.length);
        o.write(0);
        o.write(0);
        o.write(0);
        o.writeBytes(key);
        o.write(0x89); // NEWFALSE
        o.write('s'); // SETITEM
        o.write('b'); // BUILD
        o.write('.'); // STOP
        return o.toByteArray();
    }

    /** An uncompressed entry, as torch.jit.save writes them. */
    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }
}
