package dev.dualwrite.core;

import java.util.ArrayList;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The core's packages depend one way: the stores and the pair model at the bottom, then the
 * repair records the write path leaves, the read and write paths, the reconciler that drains
 * the records through the write path, the inventory, the backfill and the verifier, and the
 * control plane on top. A package that needs a type from a layer above it holds that type in
 * the wrong place; a new package has to be placed in a layer here.
 */
class PackageStructureTests {

    private static final String CORE = "dev.dualwrite.core";

    // Bottom first. Each layer may use only the layers listed before it.
    private static final List<Layer> LAYERS = List.of(
            // The stores and the vocabulary every feature shares: what a strategy and a store
            // are, how entities compare, expiries, meters, the ledger, a background ticker.
            new Layer("Stores", "..core.store..", "..core.redis..", "..core.expiry..", "..core.strategy..",
                    "..core.compare..", "..core.metrics..", "..core.ledger..", "..core.support.."),
            new Layer("Pair model", "..core.pair.."),
            // What a secondary write that may have left the stores apart records: below the
            // write path, which records into it without knowing how it is drained.
            new Layer("Repair records", "dev.dualwrite.core.repair"),
            new Layer("Read and write paths", "..core.routing..", "..core.secondary.."),
            new Layer("Reconciler", "..core.repair.reconcile.."),
            // What runs over whole stores: the inventory before the migration, the backfill,
            // and the verifier.
            new Layer("Inventory, backfill and verify", "..core.inventory..", "..core.backfill..", "..core.verify.."),
            new Layer("Control plane", "..core.control.."));

    private static final JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(CORE);

    @Test
    void corePackagesAreFreeOfCycles() {
        slices().matching("dev.dualwrite.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void corePackagesUseOnlyTheLayersBelowThem() {
        LayeredArchitecture architecture = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage(CORE + "..")
            .ensureAllClassesAreContainedInArchitecture();
        for (Layer layer : LAYERS) {
            architecture = architecture.layer(layer.name()).definedBy(layer.packages());
        }
        List<String> below = new ArrayList<>();
        for (Layer layer : LAYERS) {
            architecture = below.isEmpty() ? architecture.whereLayer(layer.name()).mayNotAccessAnyLayer()
                    : architecture.whereLayer(layer.name()).mayOnlyAccessLayers(below.toArray(String[]::new));
            below.add(layer.name());
        }
        architecture.check(classes);
    }

    @Test
    void theOldStoreScannerInterfaceKnowsNoRedis() {
        // Same layer as the Redis packages, but other old stores (JDBC) implement it without Redis
        // on the classpath.
        noClasses().that().resideInAPackage("..core.store.scan..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("..core.redis..", "io.lettuce..", "org.springframework.data.redis..")
            .check(classes);
    }

    @Test
    void theBackfillAndTheVerifierReachTheOldStoreOnlyThroughTheScannerInterface() {
        // So that they run over any old store, not only Redis. RedisScanners is the deprecated
        // Redis-typed provider the verifier took before OldStoreScanners.
        noClasses().that().resideInAnyPackage("..core.backfill..", "..core.verify..")
            .and().doNotHaveSimpleName("RedisScanners")
            .should().dependOnClassesThat()
            .resideInAnyPackage("..core.redis..")
            .check(classes);
    }

    private record Layer(String name, String... packages) {
    }

}
