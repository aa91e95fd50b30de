package dev.dualwrite.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The starter's packages depend one way: the properties several auto-configurations read at
 * the bottom, then the repository registry and what it needs, the main auto-configuration,
 * and the features that order themselves after it (repair, verify, backfill, endpoints,
 * health, metrics) on top. Ordering an auto-configuration after another
 * ({@code @AutoConfiguration(after = …)}) is a dependency too.
 */
class PackageStructureTests {

    private static final JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.dualwrite.autoconfigure");

    @Test
    void starterPackagesAreFreeOfCycles() {
        slices().matching("dev.dualwrite.(**)").should().beFreeOfCycles().check(classes);
    }

}
