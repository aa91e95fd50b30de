package dev.dualwrite.core.redis.scan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.RawSourceBatch;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.core.store.scan.SourceBatch;
import dev.dualwrite.core.store.scan.SourcePosition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A Redis scanner seen through the store-neutral {@link OldStoreScanner}: the bridges hand the
 * Redis-typed methods the same scan position and return their batches unchanged, and positions
 * come back from their checkpoint text.
 */
class RedisEntityScannerBridgeTests {

    private final RecordingScanner scanner = new RecordingScanner();

    private final OldStoreScanner<String, String> spi = this.scanner;

    @Test
    void positionsAreScanPositionsParsedFromTheirText() {
        assertThat(this.spi.initialPosition()).isEqualTo(ScanPosition.initial());
        assertThat(this.spi.parsePosition("a=done,b=12")).isEqualTo(ScanPosition.parse("a=done,b=12"));
        assertThat(this.spi.parsePosition("")).isEqualTo(ScanPosition.initial());
        assertThatIllegalArgumentException().isThrownBy(() -> this.spi.parsePosition("keyset:done:5"));
        assertThatIllegalArgumentException().isThrownBy(() -> this.spi.parsePosition("a=notacursor"));
    }

    @Test
    void pagesAreTheRedisBatchesFromTheSamePosition() {
        ScanPosition from = ScanPosition.parse("a=7");
        SourceBatch<String, String> page = this.spi.nextPage(from, ScanSettings.DEFAULTS);
        assertThat(this.scanner.positions).containsExactly(from);
        assertThat(page.entries()).isEqualTo(RecordingScanner.DECODED);
        assertThat(page.position()).isEqualTo(from.advance("a", "0"));
        assertThat(page.position().text()).isEqualTo("a=done");
        assertThat(page.complete()).isTrue();
        assertThat(page.fraction()).isEqualTo(1.0);

        RawSourceBatch raw = this.spi.scanPage(page.position(), ScanSettings.DEFAULTS);
        assertThat(this.scanner.positions).containsExactly(from, ScanPosition.parse("a=done"));
        assertThat(raw.entries()).isEqualTo(RecordingScanner.RAW);
        assertThat(raw.position()).isEqualTo(ScanPosition.parse("a=done"));
    }

    @Test
    void aPositionKnownOnlyByItsTextIsParsed() {
        SourcePosition textOnly = () -> "a=7";
        this.spi.nextPage(textOnly, ScanSettings.DEFAULTS);
        assertThat(this.scanner.positions).containsExactly(ScanPosition.parse("a=7"));
        SourcePosition foreign = () -> "keyset:3:abc";
        assertThatIllegalArgumentException().isThrownBy(() -> this.spi.scanPage(foreign, ScanSettings.DEFAULTS));
    }

    // Answers every step with one node finished, and records the positions it was handed.
    private static final class RecordingScanner implements RedisEntityScanner<String, String> {

        static final List<RawEntry> RAW = List.of(new RawEntry("k:1", "v", null));

        static final List<ScannedEntry<String, String>> DECODED = List.of(ScannedEntry.decoded("k:1", "1", "v", "v"));

        final List<ScanPosition> positions = new ArrayList<>();

        @Override
        public ScanBatch<String, String> next(ScanPosition from, ScanSettings settings) {
            RawScanBatch raw = scan(from, settings);
            return new ScanBatch<>(decode(raw.entries()), raw.position(), raw.complete(), raw.fraction());
        }

        @Override
        public RawScanBatch scan(ScanPosition from, ScanSettings settings) {
            this.positions.add(from);
            return new RawScanBatch(RAW, from.advance("a", "0"), true, 1.0);
        }

        @Override
        public List<ScannedEntry<String, String>> decode(List<RawEntry> entries) {
            return DECODED;
        }

        @Override
        public List<ScannedEntry<String, String>> read(Collection<String> redisKeys, ScanSettings settings) {
            return List.of();
        }

        @Override
        public Set<String> existing(Collection<String> redisKeys, ScanSettings settings) {
            return Set.of();
        }

        @Override
        public String keyOf(String id) {
            return "k:" + id;
        }

        @Override
        public long size() {
            return -1;
        }

        @Override
        public String describe() {
            return "recording";
        }

    }

}
