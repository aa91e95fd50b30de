package dev.dualwrite.autoconfigure.inventory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventorySettings;
import dev.dualwrite.core.inventory.InventorySource.StoreInventory;
import dev.dualwrite.core.inventory.KeyRole;
import dev.dualwrite.core.inventory.RedisInventory;
import dev.dualwrite.core.inventory.RepositoryKeys;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.RedisKeyValueTemplate;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.convert.KeyspaceConfiguration;
import org.springframework.data.redis.core.convert.MappingConfiguration;
import org.springframework.data.redis.core.index.IndexConfiguration;
import org.springframework.data.redis.core.index.Indexed;
import org.springframework.data.redis.core.mapping.RedisMappingContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keys of a {@code @RedisHash} repository whose indexed properties sit inside a
 * collection and a map, written by Spring Data Redis itself to the real Redis: its index sets
 * ({@code <keyspace>:boxes.colour:red}, {@code <keyspace>:labels.<key>:<value>},
 * {@code <keyspace>:rooms.<key>.colour:<value>}) are indexes, never entities.
 */
class RedisInventorySourcesTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisInventorySourcesTests.class);

    private static LettuceConnectionFactory redis;

    private static RedisKeyValueAdapter adapter;

    @BeforeAll
    static void writeThroughSpringData() {
        RedisServer server = TestServers.redis();
        redis = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        redis.afterPropertiesSet();
        redis.start();
        RedisTemplate<byte[], byte[]> template = new RedisTemplate<>();
        template.setConnectionFactory(redis);
        template.afterPropertiesSet();
        RedisMappingContext context = new RedisMappingContext(
                new MappingConfiguration(new IndexConfiguration(), new KeyspaceConfiguration() {
                    @Override
                    protected Iterable<KeyspaceSettings> initialConfiguration() {
                        return List.of(new KeyspaceSettings(Shelf.class, keys.key("shelves")));
                    }
                }));
        adapter = new RedisKeyValueAdapter(template, context);
        RedisKeyValueTemplate shelves = new RedisKeyValueTemplate(adapter, context);
        shelves.insert(new Shelf("s1", List.of(new Box("red"), new Box("blue")), Map.of("aisle", "3"),
                Map.of("kitchen", new Box("green")), List.of("new")));
        shelves.insert(new Shelf("s2", List.of(new Box("red")), Map.of("aisle", "4", "side", "left"), Map.of(),
                List.of("old", "new")));
        shelves.insert(new Shelf("s3", List.of(), Map.of(), Map.of("hall", new Box("red")), List.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        adapter.destroy();
        redis.destroy();
    }

    @Test
    void indexesInsideCollectionsAndMapsAreIndexesAndEveryEntityIsCountedOnce() {
        RepositoryKeys shelfKeys = RedisInventorySources.hashKeys("shelves", Shelf.class, adapter.getConverter());
        StoreInventory store = new RedisInventory("test Redis", redis, List.of(shelfKeys)).take(Set.of("shelves"),
                new InventorySettings(keys.prefix() + "*", 50, 50, 16, 0, 5, 5, 5, Duration.ofSeconds(5)),
                (progress) -> {
                });

        RepositoryInventory shelves = store.repositories().get(0);
        String keyspace = keys.key("shelves");
        assertThat(count(shelves, KeyRole.ENTITIES)).isEqualTo(3);
        assertThat(count(shelves, KeyRole.OTHER)).isZero();
        assertThat(shelves.entities()).isEqualTo(3);
        assertThat(parts(shelves, KeyRole.INDEXES)).extracting(PartInventory::pattern)
            .contains(keyspace + ":boxes.colour:*", keyspace + ":tags:*", keyspace + ":labels.*",
                    keyspace + ":rooms.*");
        // boxes.colour red/blue; tags new/old; labels.aisle 3/4, labels.side left; rooms.kitchen.colour
        // green, rooms.hall.colour red.
        assertThat(count(shelves, KeyRole.INDEXES)).isEqualTo(2 + 2 + 3 + 2);
        assertThat(store.store().unmatched().count()).isZero();
    }

    private static List<PartInventory> parts(RepositoryInventory repository, KeyRole role) {
        return repository.parts().stream().filter((part) -> part.role() == role).toList();
    }

    private static long count(RepositoryInventory repository, KeyRole role) {
        return parts(repository, role).stream().mapToLong(PartInventory::count).sum();
    }

    @RedisHash
    static class Shelf {

        @Id
        String id;

        List<Box> boxes;

        @Indexed
        Map<String, String> labels;

        Map<String, Box> rooms;

        @Indexed
        List<String> tags;

        Shelf(String id, List<Box> boxes, Map<String, String> labels, Map<String, Box> rooms, List<String> tags) {
            this.id = id;
            this.boxes = boxes;
            this.labels = labels;
            this.rooms = rooms;
            this.tags = tags;
        }

    }

    static class Box {

        @Indexed
        String colour;

        Box(String colour) {
            this.colour = colour;
        }

    }

}
