package dev.dualwrite.core.inventory;

import java.util.List;

import dev.dualwrite.core.repair.RedisRepairKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RepositoryKeys}: which pattern a key falls under.
 */
class RepositoryKeysTests {

    private final RepositoryKeys crates = RepositoryKeys.redisHash("crates", "crates", List.of("colour", "address.city"),
            List.of("location"));

    private final RepositoryKeys tokens = RepositoryKeys.jsonStrings("tokens", "token:");

    @Test
    void hashKeysAreFiledByWhatSpringDataKeepsThemFor() {
        assertThat(role(this.crates, "crates:42")).isEqualTo(KeyRole.ENTITIES);
        assertThat(role(this.crates, "crates")).isEqualTo(KeyRole.KEYSPACE_SET);
        assertThat(pattern(this.crates, "crates:colour:red")).isEqualTo("crates:colour:*");
        assertThat(pattern(this.crates, "crates:address.city:Oslo")).isEqualTo("crates:address.city:*");
        assertThat(role(this.crates, "crates:location")).isEqualTo(KeyRole.GEO_INDEXES);
        assertThat(role(this.crates, "crates:42:idx")).isEqualTo(KeyRole.ENTITY_INDEX_SETS);
        assertThat(role(this.crates, "crates:42:phantom")).isEqualTo(KeyRole.PHANTOMS);
        assertThat(this.crates.match("cratesX")).isNull();
        assertThat(this.crates.match("other:1")).isNull();
    }

    @Test
    void indexesInsideCollectionsAndMapsAreIndexesNotEntities() {
        RepositoryKeys shelves = RepositoryKeys.redisHash("shelves", "shelves", List.of("boxes.colour", "tags"),
                List.of(), List.of("labels", "rooms"));
        assertThat(pattern(shelves, "shelves:boxes.colour:red")).isEqualTo("shelves:boxes.colour:*");
        assertThat(pattern(shelves, "shelves:tags:new")).isEqualTo("shelves:tags:*");
        assertThat(pattern(shelves, "shelves:labels.aisle:3")).isEqualTo("shelves:labels.*");
        assertThat(pattern(shelves, "shelves:rooms.kitchen.colour:green")).isEqualTo("shelves:rooms.*");
        assertThat(role(shelves, "shelves:rooms.kitchen.colour:green")).isEqualTo(KeyRole.INDEXES);
        assertThat(role(shelves, "shelves:s1")).isEqualTo(KeyRole.ENTITIES);
    }

    @Test
    void anIndexedValueEndingLikeASuffixStaysAnIndexAndAnIdWithColonsAnEntity() {
        assertThat(role(this.crates, "crates:colour:weird:idx")).isEqualTo(KeyRole.INDEXES);
        assertThat(role(this.crates, "crates:eu:42")).isEqualTo(KeyRole.ENTITIES);
    }

    @Test
    void dualWritesOwnKeysOfTheRepositoryAreItsOwnPatterns() {
        assertThat(pattern(this.tokens, "dualwrite:repair:{tokens}")).isEqualTo("dualwrite:repair:{tokens}");
        assertThat(pattern(this.tokens, "dualwrite:intent:{tokens}")).isEqualTo("dualwrite:intent:{tokens}");
        assertThat(this.tokens.match("dualwrite:repair:{crates}")).isNull();
        assertThat(role(this.tokens, "token:abc")).isEqualTo(KeyRole.ENTITIES);
        assertThat(this.tokens.entities().pattern()).isEqualTo("token:*");
    }

    @Test
    void withRepairKeysTheRepositorysOwnKeysAreThoseUnderTheLogsPrefixWhateverElseTheyLookLike() {
        // A prefix under the entities' keys: the repair hash is still dual-write's, not a token.
        RepositoryKeys tokens = this.tokens.withRepairKeys(new RedisRepairKeys("token:dw:"));
        assertThat(role(tokens, "token:dw:repair:{tokens}")).isEqualTo(KeyRole.DUAL_WRITE);
        assertThat(role(tokens, "token:dw:intent:{tokens}")).isEqualTo(KeyRole.DUAL_WRITE);
        assertThat(tokens.match("dualwrite:repair:{tokens}")).as("another application's").isNull();
        assertThat(role(tokens, "token:abc")).isEqualTo(KeyRole.ENTITIES);
        RepositoryKeys crates = this.crates.withRepairKeys(new RedisRepairKeys("app1:"));
        assertThat(pattern(crates, "crates:address.city:Oslo")).isEqualTo("crates:address.city:*");
        assertThat(pattern(crates, "app1:repair:{crates}:claims")).isEqualTo("app1:repair:{crates}:claims");
    }

    @Test
    void theMostSpecificPrefixWins() {
        RepositoryKeys meta = RepositoryKeys.jsonStrings("token_meta", "token:meta:");
        RepositoryKeys.Match general = this.tokens.match("token:meta:1");
        RepositoryKeys.Match specific = meta.match("token:meta:1");
        assertThat(specific.specificity()).isGreaterThan(general.specificity());
    }

    @Test
    void globCharactersOfAPrefixAreEscapedInItsPattern() {
        assertThat(RepositoryKeys.jsonStrings("odd", "odd[1]*:").entities().pattern()).isEqualTo("odd\\[1\\]\\*:*");
    }

    private static KeyRole role(RepositoryKeys keys, String key) {
        return keys.match(key).pattern().role();
    }

    private static String pattern(RepositoryKeys keys, String key) {
        return keys.match(key).pattern().pattern();
    }

}
