package dev.dualwrite.sample.benchmark;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import dev.dualwrite.autoconfigure.repository.DualWriteRepositoryPostProcessor;
import dev.dualwrite.core.redis.json.RedisJsonRepositoryConfigurationExtension;
import dev.dualwrite.core.redis.json.RedisJsonRepositoryFactoryBean;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.sample.SampleApplication;
import dev.dualwrite.sample.benchmark.writepath.StageRepositories;
import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.postgres.TokenRow;
import dev.dualwrite.sample.token.postgres.TokenRowRepository;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.support.AbstractBeanFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.mapping.context.MappingContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The write-path benchmark of issues 9 and 10, on demand only (its name matches none of the
 * patterns the build runs): per-call latency (p50, p99) of {@code save} and
 * {@code findById} on the decorated token repository at each stage, beside the bare Spring Data
 * repositories, from one single-threaded caller. Run it with:
 * <pre>
 * ./mvnw -q -pl sample-app -am test -Dtest=WritePathBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Twelve series share one set of {@code -Dbenchmark.keys} tokens (5,000 by default, the
 * sample's shape, in Redis and in the {@code tokens} table before anything is measured): save
 * and findById of the bare Redis JSON repository, of the bare JDBC repository (whose save of an
 * existing row is an update, the bare PostgreSQL upsert) and of the decorated repository at
 * {@code REDIS_PRIMARY}, {@code DUAL}, {@code POSTGRES_PRIMARY} and {@code POSTGRES_ONLY} (one
 * repository per stage, see {@link StageRepositories}). Each series saves the value the key
 * already holds, so every stage writes the same data. After {@code -Dbenchmark.warm-up} calls
 * per series (1,000), each series makes {@code -Dbenchmark.calls} measured calls (2,000) in
 * slices of {@code -Dbenchmark.slice} calls (10), the slices of each round in a new random
 * order, so that a slow moment of the machine falls on every series alike. The defaults
 * measure for about a minute and a half on the 2-core development machine, where each write
 * that commits in PostgreSQL waits some milliseconds for the disk.
 * <p>
 * Issue 9's goal, at p50 of save: {@code REDIS_PRIMARY} and {@code POSTGRES_ONLY} within 5% of
 * the bare repository of their store, {@code DUAL} within 1.5 times bare Redis plus bare
 * PostgreSQL. The last line prints those three ratios.
 */
class WritePathBenchmark {

    private static final List<WriteStrategy> STAGES = List.of(WriteStrategy.REDIS_PRIMARY, WriteStrategy.DUAL,
            WriteStrategy.POSTGRES_PRIMARY, WriteStrategy.POSTGRES_ONLY);

    private static final String BARE_REDIS = "bare Redis repository";

    private static final String BARE_POSTGRES = "bare PostgreSQL repository";

    @Test
    void decoratedCallsBesideBareRepositories() throws Exception {
        int keyCount = Integer.getInteger("benchmark.keys", 5_000);
        int calls = Integer.getInteger("benchmark.calls", 2_000);
        int warmUp = Integer.getInteger("benchmark.warm-up", 1_000);
        int slice = Integer.getInteger("benchmark.slice", 10);
        TestSchema schema = TestSchema.create(WritePathBenchmark.class);
        TestKeyPrefix keys = TestKeyPrefix.create(WritePathBenchmark.class);
        RedisServer redisServer = keys.server();
        // A benchmark stopped with Ctrl-C or kill would leave its keys behind: delete them on
        // the way out too.
        Thread cleanUp = new Thread(() -> {
            keys.close();
            deleteRepairRecords(redisServer);
        }, "benchmark-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        ConfigurableApplicationContext app = null;
        try {
            app = start(schema, keys);
            Token[] tokens = IntStream.range(0, keyCount).mapToObj(BackfillBenchmark::token).toArray(Token[]::new);
            TokenRow[] rows = Arrays.stream(tokens).map(TokenRow::fromToken).toArray(TokenRow[]::new);
            String[] ids = Arrays.stream(tokens).map(Token::id).toArray(String[]::new);
            CrudRepository<Token, String> bareRedis = bareRedisRepository(app);
            TokenRowRepository barePostgres = app.getBean(TokenRowRepository.class);
            Map<WriteStrategy, CrudRepository<Token, String>> decorated = decorated(app);
            checkOnlyTheDecoratorDiffers(bareRedis, decorated.get(WriteStrategy.REDIS_PRIMARY));

            long loadStart = System.nanoTime();
            bareRedis.saveAll(Arrays.asList(tokens));
            // One transaction: one commit to wait for rather than one per row.
            JdbcAggregateOperations aggregates = app.getBean(JdbcAggregateOperations.class);
            new TransactionTemplate(app.getBean(PlatformTransactionManager.class))
                .executeWithoutResult((status) -> aggregates.insertAll(Arrays.asList(rows)));
            new JdbcTemplate(schema.dataSource()).execute("vacuum analyze tokens");
            System.out.printf(Locale.ROOT, "loaded %,d tokens (~%d bytes of JSON each) into Redis and PostgreSQL in %.1fs%n",
                    keyCount, approximateJsonLength(tokens[0]), (System.nanoTime() - loadStart) / 1e9);

            List<Series> series = new ArrayList<>();
            series.add(new Series("save", BARE_REDIS, (i) -> bareRedis.save(tokens[i])));
            series.add(new Series("save", BARE_POSTGRES, (i) -> barePostgres.save(rows[i])));
            for (WriteStrategy stage : STAGES) {
                CrudRepository<Token, String> repository = decorated.get(stage);
                series.add(new Series("save", stage.name(), (i) -> repository.save(tokens[i])));
            }
            series.add(new Series("findById", BARE_REDIS, (i) -> found(bareRedis.findById(ids[i]).isPresent(), ids[i])));
            series.add(new Series("findById", BARE_POSTGRES,
                    (i) -> found(barePostgres.findById(ids[i]).isPresent(), ids[i])));
            for (WriteStrategy stage : STAGES) {
                CrudRepository<Token, String> repository = decorated.get(stage);
                series.add(new Series("findById", stage.name(),
                        (i) -> found(repository.findById(ids[i]).isPresent(), ids[i])));
            }
            // Every series visits the keys in the same shuffled order.
            List<Integer> shuffled = new ArrayList<>(IntStream.range(0, keyCount).boxed().toList());
            Collections.shuffle(shuffled, new Random(42));
            int[] order = shuffled.stream().mapToInt(Integer::intValue).toArray();

            long warmUpStart = System.nanoTime();
            run(series, order, 0, warmUp, slice, null);
            System.out.printf(Locale.ROOT, "warm-up: %,d calls per series in %.1fs%n", warmUp,
                    (System.nanoTime() - warmUpStart) / 1e9);
            System.gc();
            long[][] samples = new long[series.size()][calls];
            long gcCountBefore = gcCount();
            long gcTimeBefore = gcMillis();
            double loadBefore = loadAverage();
            long measureStart = System.nanoTime();
            run(series, order, warmUp, calls, slice, samples);
            double seconds = (System.nanoTime() - measureStart) / 1e9;
            // The load average says how much the machine's other work may have moved the figures.
            System.out.printf(Locale.ROOT,
                    "measured: %,d calls per series, %d series interleaved in slices of %d, in %.1fs "
                            + "(%d garbage collections, %d ms; load average %.1f before, %.1f after, %d cores)%n",
                    calls, series.size(), slice, seconds, gcCount() - gcCountBefore, gcMillis() - gcTimeBefore,
                    loadBefore, loadAverage(), Runtime.getRuntime().availableProcessors());
            checkSameRepositoryMetrics(app);
            report(series, samples);
        }
        finally {
            if (app != null) {
                app.close();
            }
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            keys.close();
            deleteRepairRecords(redisServer);
            schema.close();
            LingeringThreads.report();
        }
    }

    private static ConfigurableApplicationContext start(TestSchema schema, TestKeyPrefix keys) {
        PostgresServer postgres = schema.server();
        RedisServer redis = keys.server();
        List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.datasource.url=" + schema.jdbcUrl(),
                "spring.datasource.username=" + postgres.username(),
                "spring.datasource.password=" + postgres.password(), "spring.datasource.hikari.maximum-pool-size=6",
                "spring.flyway.schemas=" + schema.name(), "spring.flyway.default-schema=" + schema.name(),
                "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                "sample.tokens.key-prefix=" + keys.key("token:"), "sample.operator.password=benchmark",
                "logging.level.dev.dualwrite=WARN"));
        // Each repository's first start stores its configured stage: no move, no gate.
        StageRepositories.NAMES
            .forEach((stage, name) -> properties.add("dual-write.repositories." + name + ".strategy=" + stage));
        return new SpringApplicationBuilder(SampleApplication.class, StageRepositories.class)
            // Arguments, not default properties: they must win over application.yml.
            .run(properties.stream().map((property) -> "--" + property).toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<WriteStrategy, CrudRepository<Token, String>> decorated(ConfigurableApplicationContext app) {
        Map<WriteStrategy, Class<?>> interfaces = Map.of(WriteStrategy.REDIS_PRIMARY,
                StageRepositories.AtRedisPrimary.class, WriteStrategy.DUAL, StageRepositories.AtDual.class,
                WriteStrategy.POSTGRES_PRIMARY, StageRepositories.AtPostgresPrimary.class, WriteStrategy.POSTGRES_ONLY,
                StageRepositories.AtPostgresOnly.class);
        StrategySource strategies = app.getBean(StrategySource.class);
        Map<WriteStrategy, CrudRepository<Token, String>> repositories = new LinkedHashMap<>();
        for (WriteStrategy stage : STAGES) {
            String name = StageRepositories.NAMES.get(stage);
            if (strategies.strategyFor(name) != stage) {
                throw new IllegalStateException("repository '" + name + "' is at " + strategies.strategyFor(name)
                        + ", expected " + stage);
            }
            repositories.put(stage, (CrudRepository<Token, String>) app.getBean(interfaces.get(stage)));
        }
        return repositories;
    }

    /**
     * Build the Redis JSON repository the application would have without dual-write: the same
     * Spring Data proxy as the decorated ones, given every bean post-processor of the
     * application (Spring Boot's repository metrics among them) but dual-write's.
     */
    @SuppressWarnings("unchecked")
    private static CrudRepository<Token, String> bareRedisRepository(ConfigurableApplicationContext app) {
        AbstractBeanFactory beans = (AbstractBeanFactory) app.getBeanFactory();
        RedisJsonRepositoryFactoryBean<BareTokens, Token, String> factory = new RedisJsonRepositoryFactoryBean<>(
                BareTokens.class);
        factory.setBeanClassLoader(app.getClassLoader());
        factory.setBeanFactory(beans);
        factory.setRedisConnectionFactory(beans.getBean(RedisConnectionFactory.class));
        factory.setMappingContext(
                beans.getBean(RedisJsonRepositoryConfigurationExtension.MAPPING_CONTEXT_BEAN_NAME, MappingContext.class));
        List<BeanPostProcessor> processors = beans.getBeanPostProcessors()
            .stream()
            .filter((processor) -> !(processor instanceof DualWriteRepositoryPostProcessor))
            .toList();
        for (BeanPostProcessor processor : processors) {
            processor.postProcessBeforeInitialization(factory, "bareTokens");
        }
        factory.afterPropertiesSet();
        Object repository = factory.getObject();
        for (BeanPostProcessor processor : processors) {
            repository = processor.postProcessAfterInitialization(repository, "bareTokens");
        }
        return (CrudRepository<Token, String>) repository;
    }

    // The comparison is fair only if the bare repository is the decorated one without the
    // decorator: same Spring Data advice chain, minus dual-write's advice.
    private static void checkOnlyTheDecoratorDiffers(Object bare, Object decorated) {
        List<String> bareAdvice = adviceOf(bare);
        List<String> decoratedAdvice = adviceOf(decorated);
        List<String> withoutDecorator = decoratedAdvice.stream()
            .filter((advice) -> !advice.startsWith("dev.dualwrite."))
            .toList();
        if (!withoutDecorator.equals(bareAdvice) || decoratedAdvice.size() != bareAdvice.size() + 1) {
            throw new IllegalStateException("the bare Redis repository is not the decorated one without dual-write's "
                    + "advice: bare " + bareAdvice + ", decorated " + decoratedAdvice);
        }
        System.out.printf(Locale.ROOT, "bare Redis repository: the decorated ones' Spring Data proxy (%d advices) "
                + "without dual-write's advice%n", bareAdvice.size());
    }

    // Spring Boot times every repository call through an invocation listener, not an advice:
    // the bare repository must pay for it as the decorated ones do.
    private static void checkSameRepositoryMetrics(ConfigurableApplicationContext app) {
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        long bare = timedCalls(meters, BareTokens.class);
        long decorated = timedCalls(meters, StageRepositories.AtRedisPrimary.class);
        if ((bare == 0) != (decorated == 0)) {
            throw new IllegalStateException("Spring Boot's repository metrics time " + bare + " calls of the bare "
                    + "repository and " + decorated + " of the decorated one: the comparison would not be fair");
        }
        System.out.printf(Locale.ROOT, "Spring Boot repository metrics: %,d calls of the bare Redis repository timed, "
                + "%,d of the decorated one at REDIS_PRIMARY%n", bare, decorated);
    }

    private static long timedCalls(MeterRegistry meters, Class<?> repositoryInterface) {
        return meters.find("spring.data.repository.invocations")
            .tag("repository", repositoryInterface.getSimpleName())
            .timers()
            .stream()
            .mapToLong(Timer::count)
            .sum();
    }

    private static List<String> adviceOf(Object repository) {
        if (!(repository instanceof Advised advised)) {
            throw new IllegalStateException("not a Spring Data repository proxy: " + repository.getClass());
        }
        return Arrays.stream(advised.getAdvisors())
            .map(Advisor::getAdvice)
            // Lambda classes are named after the class that declares them, plus a hidden suffix.
            .map((advice) -> advice.getClass().getName().replaceAll("\\$\\$Lambda.*", "\\$\\$Lambda"))
            .toList();
    }

    private static void found(boolean present, String id) {
        if (!present) {
            throw new IllegalStateException("token " + id + " not found: the series would measure a miss");
        }
    }

    // Rounds of one slice per series, in a new random order each round: a slow moment of the
    // machine (a checkpoint, another process) falls on every series alike, and no series
    // always runs after the same one.
    private static void run(List<Series> series, int[] order, int offset, int calls, int slice,
            long[][] samples) {
        Random shuffle = new Random(offset);
        List<Integer> sequence = new ArrayList<>(IntStream.range(0, series.size()).boxed().toList());
        for (int done = 0; done < calls; done += slice) {
            Collections.shuffle(sequence, shuffle);
            int count = Math.min(slice, calls - done);
            for (int s : sequence) {
                Call call = series.get(s).call();
                for (int c = done; c < done + count; c++) {
                    int index = order[(offset + c) % order.length];
                    long start = System.nanoTime();
                    call.run(index);
                    long elapsed = System.nanoTime() - start;
                    if (samples != null) {
                        samples[s][c] = elapsed;
                    }
                }
            }
        }
    }

    private static void report(List<Series> series, long[][] samples) {
        Map<String, Long> p50 = new LinkedHashMap<>();
        System.out.println();
        System.out.printf(Locale.ROOT, "%-9s %-27s %9s %9s %9s %8s%n", "operation", "repository", "p50 us", "p99 us",
                "mean us", "calls");
        for (int s = 0; s < series.size(); s++) {
            long[] sorted = samples[s].clone();
            Arrays.sort(sorted);
            Series one = series.get(s);
            p50.put(one.operation() + " " + one.repository(), percentile(sorted, 0.50));
            System.out.printf(Locale.ROOT, "%-9s %-27s %9.1f %9.1f %9.1f %,8d%n", one.operation(), one.repository(),
                    micros(percentile(sorted, 0.50)), micros(percentile(sorted, 0.99)),
                    micros(Arrays.stream(sorted).average().orElse(0)), sorted.length);
        }
        double bareRedisSave = p50.get("save " + BARE_REDIS);
        double barePostgresSave = p50.get("save " + BARE_POSTGRES);
        double bareRedisRead = p50.get("findById " + BARE_REDIS);
        double barePostgresRead = p50.get("findById " + BARE_POSTGRES);
        double redisPrimary = p50.get("save REDIS_PRIMARY") / bareRedisSave;
        double dual = p50.get("save DUAL") / (bareRedisSave + barePostgresSave);
        double postgresPrimary = p50.get("save POSTGRES_PRIMARY") / (bareRedisSave + barePostgresSave);
        double postgresOnly = p50.get("save POSTGRES_ONLY") / barePostgresSave;
        System.out.println();
        System.out.printf(Locale.ROOT, "save p50, decorated/bare: redis_primary/bare_redis=%.2f "
                + "dual/(bare_redis+bare_postgres)=%.2f postgres_primary/(bare_redis+bare_postgres)=%.2f "
                + "postgres_only/bare_postgres=%.2f%n", redisPrimary, dual, postgresPrimary, postgresOnly);
        // The same in microseconds: what the decorator adds does not grow with the time a commit
        // waits for the disk, which moves the ratios from run to run on a shared machine.
        System.out.printf(Locale.ROOT, "save p50, decorated minus bare, us: redis_primary-bare_redis=%+.1f "
                + "dual-(bare_redis+bare_postgres)=%+.1f postgres_primary-(bare_redis+bare_postgres)=%+.1f "
                + "postgres_only-bare_postgres=%+.1f%n", micros(p50.get("save REDIS_PRIMARY") - bareRedisSave),
                micros(p50.get("save DUAL") - bareRedisSave - barePostgresSave),
                micros(p50.get("save POSTGRES_PRIMARY") - bareRedisSave - barePostgresSave),
                micros(p50.get("save POSTGRES_ONLY") - barePostgresSave));
        double redisPrimaryRead = p50.get("findById REDIS_PRIMARY") / bareRedisRead;
        double postgresOnlyRead = p50.get("findById POSTGRES_ONLY") / barePostgresRead;
        System.out.printf(Locale.ROOT, "findById p50, decorated/bare: redis_primary/bare_redis=%.2f dual/bare_redis=%.2f "
                + "postgres_primary/bare_postgres=%.2f postgres_only/bare_postgres=%.2f%n", redisPrimaryRead,
                p50.get("findById DUAL") / bareRedisRead, p50.get("findById POSTGRES_PRIMARY") / barePostgresRead,
                postgresOnlyRead);
        System.out.printf(Locale.ROOT, "goal (issue 9, p50): REDIS_PRIMARY save within 5%% of bare Redis: %s; "
                + "POSTGRES_ONLY save within 5%% of bare PostgreSQL: %s; DUAL save within 1.5x bare Redis + bare "
                + "PostgreSQL: %s; REDIS_PRIMARY findById: %s; POSTGRES_ONLY findById: %s%n", met(redisPrimary <= 1.05),
                met(postgresOnly <= 1.05), met(dual <= 1.5), met(redisPrimaryRead <= 1.05), met(postgresOnlyRead <= 1.05));
        System.out.printf(Locale.ROOT, "redis_primary/bare_redis=%.2f postgres_only/bare_postgres=%.2f "
                + "dual/(bare_redis+bare_postgres)=%.2f%n", redisPrimary, postgresOnly, dual);
    }

    // Nearest rank: the smallest sample at or above the share q of all samples.
    private static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double micros(double nanos) {
        return nanos / 1000.0;
    }

    private static String met(boolean met) {
        return met ? "met" : "missed";
    }

    private static int approximateJsonLength(Token token) {
        return JsonMapper.builder().build().writeValueAsString(token).length();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans()
            .stream()
            .mapToLong(GarbageCollectorMXBean::getCollectionCount)
            .sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans()
            .stream()
            .mapToLong(GarbageCollectorMXBean::getCollectionTime)
            .sum();
    }

    // The repair records and write intents of the benchmark's repositories live outside its key
    // prefix.
    private static void deleteRepairRecords(RedisServer server) {
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            for (String name : StageRepositories.NAMES.values()) {
                connection.sync().del(RedisRepairKeys.DEFAULT.all(name).toArray(String[]::new));
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** The bare Redis repository's interface: never a bean, so never decorated. */
    public interface BareTokens extends CrudRepository<Token, String> {

    }

    @FunctionalInterface
    private interface Call {

        void run(int index);

    }

    private record Series(String operation, String repository, Call call) {
    }

}
