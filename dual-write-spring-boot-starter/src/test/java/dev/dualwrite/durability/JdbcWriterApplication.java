package dev.dualwrite.durability;

import dev.dualwrite.contract.jdbc.JdbcContractApplication;
import dev.dualwrite.contract.jdbc.JdbcItem;
import dev.dualwrite.contract.jdbc.legacy.LegacyItemRepository;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The strategy contract's host application ({@link JdbcContractApplication}: a Spring Data
 * JDBC table {@code jdbc_items} on an old schema, through a second {@code DataSource}, paired
 * with {@code jdbc_items} on the new one). Started in the test's JVM to verify and repair, and
 * as a child process whose {@link KillableWriters} save and delete items through the old
 * repository until it is killed, or, with {@code dwtest.writer.once=<id>}, that saves one item.
 */
@Configuration(proxyBeanMethods = false)
@Import(JdbcContractApplication.class)
public class JdbcWriterApplication {

    public static void main(String[] args) {
        // As WriterApplication's: the writers are daemon threads.
        System.exit(SpringApplication.exit(SpringApplication.run(JdbcWriterApplication.class, args)));
    }

    // Saves and deletes in the proportions of WriterApplication's.
    @Bean
    @ConditionalOnProperty("dwtest.writer.threads")
    ApplicationRunner writers(LegacyItemRepository items, Environment environment) {
        return KillableWriters.runner(environment, (random, id, value) -> {
            if (random.nextInt(5) < 4) {
                items.save(new JdbcItem(id, "item " + value, "c" + (value % 3), value));
            }
            else {
                items.deleteById(id);
            }
        });
    }

    @Bean
    @ConditionalOnProperty("dwtest.writer.once")
    ApplicationRunner oneWrite(LegacyItemRepository items, Environment environment) {
        String id = environment.getRequiredProperty("dwtest.writer.once");
        return (arguments) -> {
            items.save(new JdbcItem(id, "written once", "c0", 1));
            System.out.println("dwtest: saved " + id);
        };
    }

}
