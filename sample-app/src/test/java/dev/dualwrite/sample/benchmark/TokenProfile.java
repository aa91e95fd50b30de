package dev.dualwrite.sample.benchmark;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.TokenAttribute;
import org.jspecify.annotations.Nullable;

/**
 * The tokens a benchmark loads, in one of two shapes; the same {@code (profile, n, seed)} always
 * gives the same tokens, so that every approach of a run copies the same data.
 * <ul>
 * <li>{@code realistic} (the default): the shape of a real token collection. About 60,000
 * holders per 1,000,000 tokens (at least one), a few of them holding many tokens; 20% of the
 * holders have no Farcaster profile (user name, fid, display name and picture null); about 60%
 * of display names are non-ASCII (accents, Cyrillic, Japanese, emoji); 8 trait types with a
 * vocabulary of 4 to 7 values each (42 values in all), 4 to 8 traits per token, common values
 * more frequent than rare ones; some token fields null (hashes of pending mints, tokens minted
 * from frames have no cast), about 12% of the nullable fields in all; about 930 bytes of JSON
 * per token.</li>
 * <li>{@code high-cardinality}: the benchmark's shape before issue 10, which makes PostgreSQL's
 * indexes the story: every token has its own holder (a unique address, a fid drawn from a
 * million) and 5 to 8 attribute values drawn from a million ({@code value-<random hex>}, so
 * about a million distinct keys in the GIN index at N = 1M), no null field, ASCII only; about
 * 1,060 bytes of JSON per token. With seed 0 it is exactly that generator's data.</li>
 * </ul>
 */
final class TokenProfile {

    /** The profile's name for {@code -Dbenchmark.profile}. */
    static final String REALISTIC = "realistic";

    /** The profile's name for {@code -Dbenchmark.profile}. */
    static final String HIGH_CARDINALITY = "high-cardinality";

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private static final double HOLDERS_PER_TOKEN = 0.06;

    private static final double HOLDERS_WITHOUT_PROFILE = 0.20;

    // Trait types and their vocabularies: 4 to 7 values each, the first ones the common ones.
    private static final String[] TRAIT_TYPES = { "Background", "Eyes", "Mouth", "Hat", "Clothes", "Accessory",
            "Skin", "Aura" };

    private static final String[][] TRAIT_VALUES = { { "Blue", "Red", "Green", "Purple", "Gold" },
            { "Normal", "Sleepy", "Laser", "Wink" }, { "Smile", "Frown", "Grin", "Open", "Tongue", "Whistle" },
            { "Cap", "Beanie", "Crown", "Halo", "Top Hat", "Cowboy", "Bandana" },
            { "Hoodie", "Suit", "T-Shirt", "Kimono", "Jacket" }, { "Chain", "Earring", "Glasses", "Pipe" },
            { "Light", "Medium", "Dark", "Zombie", "Alien", "Robot" },
            { "Calm", "Fiery", "Électrique", "Cosmic", "Ghostly" } };

    // Display name and the ASCII user name made from it.
    private static final String[][] NAMES = { { "Alice", "alice" }, { "José", "jose" }, { "Zoë", "zoe" },
            { "Łukasz", "lukasz" }, { "Søren", "soren" }, { "Дмитрий", "dmitry" }, { "さくら", "sakura" },
            { "小林", "kobayashi" }, { "Mei", "mei" }, { "Noah", "noah" }, { "Inês", "ines" }, { "Ömer", "omer" },
            { "Chloé", "chloe" }, { "Kwame", "kwame" }, { "Priya", "priya" }, { "Mateo", "mateo" } };

    private static final String[] NAME_SUFFIXES = { "", "", "", " 🦊", " 🌈", ".eth", " ⌐◨-◨", " | builder" };

    private final String name;

    private final long seed;

    // Realistic only: each holder's fields, shared by all the tokens it holds.
    private final Holder @Nullable [] holders;

    private TokenProfile(String name, long seed, Holder @Nullable [] holders) {
        this.name = name;
        this.seed = seed;
        this.holders = holders;
    }

    /**
     * Return the profile {@code name} for a run of {@code n} tokens.
     * @param name {@value #REALISTIC} or {@value #HIGH_CARDINALITY}
     * @param n how many tokens the run loads (the number of holders follows it)
     * @param seed the seed; the same seed gives the same tokens
     * @return the profile
     */
    static TokenProfile of(String name, int n, long seed) {
        return switch (name) {
            case REALISTIC -> new TokenProfile(name, seed, holders(n, seed));
            case HIGH_CARDINALITY -> new TokenProfile(name, seed, null);
            default -> throw new IllegalArgumentException(
                    "unknown benchmark.profile '" + name + "': use " + REALISTIC + " or " + HIGH_CARDINALITY);
        };
    }

    /** Return the profile's name. */
    String name() {
        return this.name;
    }

    /**
     * Return the token with index {@code i}: id {@code i} in 8 digits, minted at
     * 1,700,000,000 + i seconds.
     * @param i the index, from 0
     * @return the token
     */
    Token token(int i) {
        Random random = new Random(mix(this.seed, i));
        return (this.holders != null) ? realistic(i, random, this.holders) : highCardinality(i, random);
    }

    static String id(int i) {
        return String.format(Locale.ROOT, "%08d", i);
    }

    private static Token highCardinality(int i, Random random) {
        List<TokenAttribute> attributes = new ArrayList<>();
        for (int t = 0; t < 5 + random.nextInt(4); t++) {
            attributes.add(new TokenAttribute(TRAIT_TYPES[t], "value-" + Integer.toHexString(random.nextInt(1 << 20))));
        }
        return new Token(id(i), "bafybeig" + hex(random, 52), "bafkrei" + hex(random, 52),
                "ipfs://bafybeig" + hex(random, 52) + "/metadata.json", "0x" + hex(random, 40), "user" + i,
                (long) random.nextInt(1_000_000), "Display Name " + i,
                "https://imagedelivery.net/" + hex(random, 22) + "/" + hex(random, 36) + "/original",
                "0x" + hex(random, 64), Instant.ofEpochSecond(1_700_000_000L + i), attributes, "cast",
                "0x" + hex(random, 40), random.nextInt(500));
    }

    private static Token realistic(int i, Random random, Holder[] holders) {
        // Squaring a uniform draw favours the first holders: a few hold many tokens, most a few.
        double u = random.nextDouble();
        Holder holder = holders[(int) (holders.length * u * u)];
        List<TokenAttribute> attributes = new ArrayList<>();
        int traits = 4 + random.nextInt(5);
        for (int t = 0; t < traits; t++) {
            String[] vocabulary = TRAIT_VALUES[t];
            // Skewed the same way: the first values common, the last ones rare.
            double v = random.nextDouble();
            attributes.add(new TokenAttribute(TRAIT_TYPES[t], vocabulary[(int) (vocabulary.length * v * v)]));
        }
        // Frames mint too (no cast behind them), and a few older tokens have no source.
        int source = random.nextInt(100);
        String sourceType = (source < 80) ? "cast" : (source < 95) ? "frame" : null;
        boolean cast = "cast".equals(sourceType);
        String content = hex(random, 52);
        return new Token(id(i), "bafybeig" + content, nullOr(random, 3, "bafkrei" + hex(random, 52)),
                nullOr(random, 2, "ipfs://bafybeig" + content + "/" + i), holder.address(),
                holder.username(), holder.fid(), holder.displayName(), holder.pfpUrl(),
                nullOr(random, 2, "0x" + hex(random, 64)), Instant.ofEpochSecond(1_700_000_000L + i), attributes,
                sourceType, cast ? "0x" + hex(random, 40) : null, cast ? random.nextInt(500) : null);
    }

    private static Holder[] holders(int n, long seed) {
        Holder[] holders = new Holder[Math.max(1, (int) Math.round(n * HOLDERS_PER_TOKEN))];
        for (int h = 0; h < holders.length; h++) {
            // Negative indices: a stream of its own, never a token's.
            Random random = new Random(mix(seed, -1L - h));
            String address = "0x" + hex(random, 40);
            if (random.nextDouble() < HOLDERS_WITHOUT_PROFILE) {
                holders[h] = new Holder(address, null, null, null, null);
                continue;
            }
            String[] name = NAMES[random.nextInt(NAMES.length)];
            // Most pictures are short image-host links, the others Farcaster's own image URLs.
            String picture = (random.nextInt(100) < 70) ? "https://i.imgur.com/" + hex(random, 7) + ".jpg"
                    : "https://imagedelivery.net/" + hex(random, 22) + "/" + hex(random, 36) + "/original";
            holders[h] = new Holder(address, name[1] + h, 1_000L + h,
                    name[0] + NAME_SUFFIXES[random.nextInt(NAME_SUFFIXES.length)], picture);
        }
        return holders;
    }

    private static @Nullable String nullOr(Random random, int percentNull, String value) {
        return (random.nextInt(100) < percentNull) ? null : value;
    }

    // Seed 0 gives each token the seed it had before profiles existed: new Random(i).
    private static long mix(long seed, long index) {
        return seed * GOLDEN + index;
    }

    private static String hex(Random random, int length) {
        StringBuilder hex = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            hex.append(Character.forDigit(random.nextInt(16), 16));
        }
        return hex.toString();
    }

    @Override
    public String toString() {
        return this.name + " (seed " + this.seed
                + ((this.holders != null) ? ", " + this.holders.length + " holders" : "") + ")";
    }

    private record Holder(String address, @Nullable String username, @Nullable Long fid,
            @Nullable String displayName, @Nullable String pfpUrl) {
    }

    /**
     * What a run's tokens look like, counted while they are loaded: the figures the profile's
     * description promises.
     */
    static final class Stats {

        private static final int NULLABLE_FIELDS = 11;

        private final Set<String> holders = new HashSet<>();

        private final Set<String> attributeValues = new HashSet<>();

        private final Set<String>[] valuesPerType;

        private long tokens;

        private long jsonBytes;

        private long nulls;

        private long nonAsciiNames;

        @SuppressWarnings("unchecked")
        Stats() {
            this.valuesPerType = new Set[TRAIT_TYPES.length];
            Arrays.setAll(this.valuesPerType, (t) -> new HashSet<>());
        }

        void add(Token token, String json) {
            this.tokens++;
            this.jsonBytes += utf8Length(json);
            this.holders.add(token.holderAddress());
            for (TokenAttribute attribute : token.attributes()) {
                this.attributeValues.add(attribute.traitType() + "\u0000" + attribute.value());
                int type = Arrays.asList(TRAIT_TYPES).indexOf(attribute.traitType());
                // High-cardinality values are unique: count up to a few per type, not a million.
                if (type >= 0 && this.valuesPerType[type].size() < 100) {
                    this.valuesPerType[type].add(attribute.value());
                }
            }
            Object[] nullable = { token.imageHash(), token.metadataHash(), token.tokenUri(), token.holderUsername(),
                    token.holderFid(), token.holderDisplayName(), token.holderPfpUrl(), token.transactionHash(),
                    token.sourceType(), token.sourceCastHash(), token.totalEligibleReactors() };
            for (Object field : nullable) {
                if (field == null) {
                    this.nulls++;
                }
            }
            String name = token.holderDisplayName();
            if (name != null && utf8Length(name) != name.length()) {
                this.nonAsciiNames++;
            }
        }

        String summary() {
            int smallest = Arrays.stream(this.valuesPerType).mapToInt(Set::size).min().orElse(0);
            int largest = Arrays.stream(this.valuesPerType).mapToInt(Set::size).max().orElse(0);
            return String.format(Locale.ROOT,
                    "%,d holders, %,d distinct trait values (%s per trait type), %.1f%% of nullable fields null, "
                            + "%.1f%% of display names non-ASCII, %.0f bytes of JSON per token on average",
                    this.holders.size(), this.attributeValues.size(),
                    (largest >= 100) ? "unique" : smallest + "-" + largest,
                    100.0 * this.nulls / Math.max(1, this.tokens * NULLABLE_FIELDS),
                    100.0 * this.nonAsciiNames / Math.max(1, this.tokens),
                    (double) this.jsonBytes / Math.max(1, this.tokens));
        }

        private static int utf8Length(String text) {
            int bytes = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                // A surrogate pair is one code point of 4 bytes: 2 for each half.
                bytes += (c < 0x80) ? 1 : (c < 0x800 || Character.isSurrogate(c)) ? 2 : 3;
            }
            return bytes;
        }

    }

}
