package dev.dualwrite.core.backfill;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.BitSet;

import org.postgresql.copy.CopyIn;

/**
 * A batch's rows in {@code COPY}'s text format, encoded as UTF-8 into one buffer that remembers
 * where each row ends, so that any subset of the rows can be streamed without encoding again.
 * Fields are escaped as the format requires (backslash, tab, newline and carriage return;
 * nothing else); a field without any of them, as most are, is copied as it is.
 */
final class CopyRows {

    private byte[] bytes;

    private int length;

    private final int[] rowEnds;

    private int rows;

    private boolean rowStarted;

    /**
     * @param rowCount how many rows will be written
     * @param expectedRowBytes a guess of a row's size, to size the buffer once
     */
    CopyRows(int rowCount, int expectedRowBytes) {
        this.bytes = new byte[Math.max(1024, rowCount * expectedRowBytes)];
        this.rowEnds = new int[rowCount];
    }

    /** Append a field holding {@code text}. */
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

    /** Append a NULL field. */
    void nullField() {
        separate();
        ensure(2);
        this.bytes[this.length++] = '\\';
        this.bytes[this.length++] = 'N';
    }

    /** End the current row. */
    void endRow() {
        ensure(1);
        this.bytes[this.length++] = '\n';
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
        int row = 0;
        while (row < this.rows) {
            int first = skip.nextClearBit(row);
            if (first >= this.rows) {
                return;
            }
            int next = skip.nextSetBit(first);
            int end = (next < 0) ? this.rows : Math.min(next, this.rows);
            int from = (first == 0) ? 0 : this.rowEnds[first - 1];
            copy.writeToCopy(this.bytes, from, this.rowEnds[end - 1] - from);
            row = end;
        }
    }

    private void separate() {
        if (this.rowStarted) {
            ensure(1);
            this.bytes[this.length++] = '\t';
        }
        this.rowStarted = true;
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
