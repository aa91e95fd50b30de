package dev.dualwrite.core.backfill;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.UUID;

import org.postgresql.copy.CopyIn;

/**
 * A batch's rows in one of {@code COPY}'s formats, encoded into one buffer that remembers where
 * each row ends, so that any subset of the rows can be streamed without encoding again.
 * <ul>
 * <li>Text ({@link #text}): UTF-8, fields escaped as the format requires (backslash, tab,
 * newline and carriage return; nothing else); a field without any of them, as most are, is
 * copied as it is.</li>
 * <li>Binary ({@link #binary}): each row its field count, then each field its length and its
 * bytes ({@link CopyBinary} writes the values); the stream's header and trailer are added when
 * it is written.</li>
 * </ul>
 */
final class CopyRows {

    // The binary format's signature, flags (none) and header extension length (none).
    private static final byte[] BINARY_HEADER = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0,
            0, 0, 0, 0, 0, 0, 0 };

    // A field count of -1 ends a binary stream.
    private static final byte[] BINARY_TRAILER = { (byte) 0xFF, (byte) 0xFF };

    // The fields of a binary row; -1 for text.
    private final int binaryFields;

    private byte[] bytes;

    private int length;

    private final int[] rowEnds;

    private int rows;

    private boolean rowStarted;

    private CopyRows(int rowCount, int expectedRowBytes, int binaryFields) {
        this.bytes = new byte[Math.max(1024, rowCount * expectedRowBytes)];
        this.rowEnds = new int[rowCount];
        this.binaryFields = binaryFields;
    }

    /**
     * Rows in the text format.
     * @param rowCount how many rows will be written
     * @param expectedRowBytes a guess of a row's size, to size the buffer once
     */
    static CopyRows text(int rowCount, int expectedRowBytes) {
        return new CopyRows(rowCount, expectedRowBytes, -1);
    }

    /**
     * Rows in the binary format.
     * @param rowCount how many rows will be written
     * @param expectedRowBytes a guess of a row's size, to size the buffer once
     * @param fields the fields of each row
     */
    static CopyRows binary(int rowCount, int expectedRowBytes, int fields) {
        return new CopyRows(rowCount, expectedRowBytes, fields);
    }

    /** Append a text field holding {@code text}. */
    void field(String text) {
        separate();
        // String.indexOf is vectorized by the JIT; a loop over the bytes was a tenth of the writers' CPU.
        String escaped = (text.indexOf('\\') < 0 && text.indexOf('\t') < 0 && text.indexOf('\n') < 0
                && text.indexOf('\r') < 0) ? text : escape(text);
        byte[] utf8 = escaped.getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, this.bytes, this.length, utf8.length);
        this.length += utf8.length;
    }

    /** Append a text NULL field. */
    void nullField() {
        separate();
        ensure(2);
        this.bytes[this.length++] = '\\';
        this.bytes[this.length++] = 'N';
    }

    /** Append a binary field holding {@code value}, as it is. */
    void binaryField(byte[] value) {
        separate();
        ensure(4 + value.length);
        putInt(value.length);
        System.arraycopy(value, 0, this.bytes, this.length, value.length);
        this.length += value.length;
    }

    /** Append a binary field holding a version byte, then {@code value}; return {@code true}. */
    boolean binaryVersioned(byte version, byte[] value) {
        separate();
        ensure(5 + value.length);
        putInt(1 + value.length);
        this.bytes[this.length++] = version;
        System.arraycopy(value, 0, this.bytes, this.length, value.length);
        this.length += value.length;
        return true;
    }

    /** Append a binary NULL field. */
    void binaryNull() {
        separate();
        ensure(4);
        putInt(-1);
    }

    /** Append a binary two-byte integer field; return {@code true}. */
    boolean binaryShort(short value) {
        separate();
        ensure(6);
        putInt(2);
        this.bytes[this.length++] = (byte) (value >> 8);
        this.bytes[this.length++] = (byte) value;
        return true;
    }

    /** Append a binary four-byte integer field; return {@code true}. */
    boolean binaryInt(int value) {
        separate();
        ensure(8);
        putInt(4);
        putInt(value);
        return true;
    }

    /** Append a binary eight-byte integer field; return {@code true}. */
    boolean binaryLong(long value) {
        separate();
        ensure(12);
        putInt(8);
        putLong(value);
        return true;
    }

    /** Append a binary UUID field; return {@code true}. */
    boolean binaryUuid(UUID value) {
        separate();
        ensure(20);
        putInt(16);
        putLong(value.getMostSignificantBits());
        putLong(value.getLeastSignificantBits());
        return true;
    }

    /** End the current row. */
    void endRow() {
        if (this.binaryFields < 0) {
            ensure(1);
            this.bytes[this.length++] = '\n';
        }
        this.rowEnds[this.rows++] = this.length;
        this.rowStarted = false;
    }

    /** Return how many rows were written. */
    int rowCount() {
        return this.rows;
    }

    /**
     * Stream the rows not in {@code skip}, in order, each contiguous run in one write.
     * @param copy an open {@code COPY ... FROM STDIN} (text format)
     * @param skip the indexes of the rows to leave out
     */
    void writeTo(CopyIn copy, BitSet skip) throws SQLException {
        if (this.binaryFields >= 0) {
            copy.writeToCopy(BINARY_HEADER, 0, BINARY_HEADER.length);
        }
        int row = 0;
        while (row < this.rows) {
            int first = skip.nextClearBit(row);
            if (first >= this.rows) {
                break;
            }
            int next = skip.nextSetBit(first);
            int end = (next < 0) ? this.rows : Math.min(next, this.rows);
            int from = (first == 0) ? 0 : this.rowEnds[first - 1];
            copy.writeToCopy(this.bytes, from, this.rowEnds[end - 1] - from);
            row = end;
        }
        if (this.binaryFields >= 0) {
            copy.writeToCopy(BINARY_TRAILER, 0, BINARY_TRAILER.length);
        }
    }

    // Before a field: a text row's tab between fields, a binary row's field count before its first.
    private void separate() {
        if (this.binaryFields >= 0) {
            if (!this.rowStarted) {
                ensure(2);
                this.bytes[this.length++] = (byte) (this.binaryFields >> 8);
                this.bytes[this.length++] = (byte) this.binaryFields;
            }
        }
        else if (this.rowStarted) {
            ensure(1);
            this.bytes[this.length++] = '\t';
        }
        this.rowStarted = true;
    }

    private void putInt(int value) {
        this.bytes[this.length++] = (byte) (value >> 24);
        this.bytes[this.length++] = (byte) (value >> 16);
        this.bytes[this.length++] = (byte) (value >> 8);
        this.bytes[this.length++] = (byte) value;
    }

    private void putLong(long value) {
        putInt((int) (value >> 32));
        putInt((int) value);
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\t' -> escaped.append("\\t");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private void ensure(int more) {
        if (this.length + more > this.bytes.length) {
            this.bytes = Arrays.copyOf(this.bytes, Math.max(this.bytes.length * 2, this.length + more));
        }
    }

}
