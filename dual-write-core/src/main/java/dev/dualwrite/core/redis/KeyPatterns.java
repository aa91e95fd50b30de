package dev.dualwrite.core.redis;

/**
 * {@code SCAN MATCH} patterns built from literal key parts (a key prefix, a keyspace).
 */
public final class KeyPatterns {

    private KeyPatterns() {
    }

    /**
     * Escape the characters that {@code SCAN MATCH} treats as a glob ({@code * ? [ ] \}), so
     * that a literal key part matches only itself.
     * @param literal a literal key part
     * @return the pattern that matches exactly {@code literal}
     */
    public static String escape(String literal) {
        StringBuilder escaped = new StringBuilder(literal.length() + 8);
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

}
