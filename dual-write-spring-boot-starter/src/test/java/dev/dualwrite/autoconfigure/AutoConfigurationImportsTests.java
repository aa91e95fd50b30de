package dev.dualwrite.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every auto-configuration the starter registers is named {@code DualWrite<Feature>AutoConfiguration}
 * and has a test class of its name plus {@code Tests} beside it, as Spring Boot's own do.
 */
class AutoConfigurationImportsTests {

    private static final ClassLoader classLoader = AutoConfigurationImportsTests.class.getClassLoader();

    // Boot's and other libraries' are on the test class path too.
    private final List<String> autoConfigurations = ImportCandidates.load(AutoConfiguration.class, classLoader)
        .getCandidates()
        .stream()
        .filter((name) -> name.startsWith("dev.dualwrite."))
        .toList();

    @Test
    void everyAutoConfigurationIsNamedDualWriteFeatureAutoConfiguration() {
        assertThat(this.autoConfigurations).contains(DualWriteAutoConfiguration.class.getName())
            .allSatisfy((name) -> assertThat(ClassUtils.getShortName(name))
                .matches("DualWrite([A-Z][A-Za-z]*)?AutoConfiguration"));
    }

    @Test
    void everyAutoConfigurationHasItsOwnTestClass() {
        assertThat(this.autoConfigurations)
            .allSatisfy((name) -> assertThat(ClassUtils.isPresent(name + "Tests", classLoader))
                .as("%sTests exists", name)
                .isTrue());
    }

}
