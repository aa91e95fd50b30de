package dev.dualwrite.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class TestSchemaTest {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(TestSchemaTest.class);

    @Test
    void registeredSchemaIsTheCurrentSchemaOfItsConnections() throws SQLException {
        try (Connection connection = schema.dataSource().getConnection()) {
            assertThat(query(connection, "SELECT current_schema()")).isEqualTo(schema.name());
        }
        assertThat(schema.name()).startsWith("dw_testschematest_");
    }

    @Test
    void closeDropsTheSchemaWithItsTables() throws SQLException {
        TestSchema own = TestSchema.create(TestServers.postgres(), "Close Drops");
        try (Connection connection = own.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE tokens (id text PRIMARY KEY)");
            statement.execute("INSERT INTO tokens VALUES ('a')");
        }
        assertThat(schemaExists(own.name())).isTrue();

        own.close();
        own.close();

        assertThat(schemaExists(own.name())).isFalse();
    }

    @Test
    void namesAreUniqueLowercaseAndFitPostgresIdentifiers() {
        String name = TestSchema.uniqueName("A Very-Long.Test$Class".repeat(10));

        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("dw_[a-z0-9_]+");
        assertThat(TestSchema.uniqueName("Same")).isNotEqualTo(TestSchema.uniqueName("Same"));
    }

    private static boolean schemaExists(String name) throws SQLException {
        try (Connection connection = TestServers.postgres().connect()) {
            return query(connection, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + name + "'").equals("1");
        }
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }

}
