package dev.dualwrite.core.store.scan;

import org.springframework.util.Assert;

/**
 * Redis's {@code SCAN MATCH} glob, matched in the JVM the way Redis's {@code stringmatchlen}
 * matches it, so that the catch-up's sweep over PostgreSQL's ids selects exactly the keys its
 * scan of Redis selected: {@code *}, {@code ?}, {@code [set]}, {@code [^set]}, ranges in either
 * order ({@code [z-a]} is {@code [a-z]}), {@code \} escaping the next character inside and
 * outside sets, {@code []} matching nothing and {@code [^]} any one character, and an unclosed
 * {@code [} ending its set at the end of the pattern. Redis accepts every pattern, so no pattern
 * is refused here either. Redis compares bytes; this compares UTF-16 characters, which is the
 * same for ASCII keys.
 * <p>
 * Shared by the scanners that cannot hand the pattern to their store (the JDBC keyset scan
 * filters its pages with it) and by the backfill's sweep.
 */
public final class KeyGlob {

    private final String pattern;

    /**
     * @param pattern the glob, as {@link ScanSettings#idPattern()} holds it
     */
    public KeyGlob(String pattern) {
        Assert.notNull(pattern, "pattern must not be null");
        this.pattern = pattern;
    }

    /**
     * Tell whether the whole of {@code key} matches the glob, as {@code SCAN MATCH} would.
     * @param key the key (or the id part of it)
     * @return whether it matches
     */
    public boolean matches(String key) {
        return match(0, key, 0, new boolean[1]);
    }

    // A port of stringmatchlen_impl (Redis 7 util.c), case-sensitive, indexes for pointers.
    // skipLonger: once a '*' failed to match at every position, a longer match of an earlier
    // '*' cannot succeed either (Redis's guard against exponential backtracking).
    private boolean match(int p, String s, int i, boolean[] skipLonger) {
        String pat = this.pattern;
        int pLen = pat.length();
        while (p < pLen && i < s.length()) {
            char c = pat.charAt(p);
            switch (c) {
                case '*' -> {
                    while (p + 1 < pLen && pat.charAt(p + 1) == '*') {
                        p++;
                    }
                    if (p + 1 == pLen) {
                        return true;
                    }
                    while (i < s.length()) {
                        if (match(p + 1, s, i, skipLonger)) {
                            return true;
                        }
                        if (skipLonger[0]) {
                            return false;
                        }
                        i++;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?' -> i++;
                case '[' -> {
                    p++;
                    boolean not = p < pLen && pat.charAt(p) == '^';
                    if (not) {
                        p++;
                    }
                    boolean match = false;
                    char sc = s.charAt(i);
                    while (true) {
                        if (p < pLen && pat.charAt(p) == '\\' && pLen - p >= 2) {
                            p++;
                            if (pat.charAt(p) == sc) {
                                match = true;
                            }
                        }
                        else if (p < pLen && pat.charAt(p) == ']') {
                            break;
                        }
                        else if (p >= pLen) {
                            // Unclosed: the set ends with the pattern (p is moved past it below).
                            p--;
                            break;
                        }
                        else if (pLen - p >= 3 && pat.charAt(p + 1) == '-') {
                            char start = pat.charAt(p);
                            char end = pat.charAt(p + 2);
                            if (start > end) {
                                char swap = start;
                                start = end;
                                end = swap;
                            }
                            p += 2;
                            if (sc >= start && sc <= end) {
                                match = true;
                            }
                        }
                        else if (pat.charAt(p) == sc) {
                            match = true;
                        }
                        p++;
                    }
                    if (not) {
                        match = !match;
                    }
                    if (!match) {
                        return false;
                    }
                    i++;
                }
                case '\\' -> {
                    if (pLen - p >= 2) {
                        p++;
                    }
                    if (pat.charAt(p) != s.charAt(i)) {
                        return false;
                    }
                    i++;
                }
                default -> {
                    if (c != s.charAt(i)) {
                        return false;
                    }
                    i++;
                }
            }
            p++;
            if (i == s.length()) {
                while (p < pLen && pat.charAt(p) == '*') {
                    p++;
                }
                break;
            }
        }
        return p >= pLen && i == s.length();
    }

    @Override
    public String toString() {
        return this.pattern;
    }

}
