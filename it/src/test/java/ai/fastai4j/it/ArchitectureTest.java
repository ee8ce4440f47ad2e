package ai.fastai4j.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/ARCHITECTURE.md, checked on the compiled classes of every library module (tests, benches and
 * examples excluded): modules depend one way, the core's packages have no cycle, and only the engine package
 * touches DJL's PyTorch internals.
 */
class ArchitectureTest {
    /** The packages of fastai4j-core. */
    static final String[] CORE = {"ai.fastai4j", "ai.fastai4j.callback..", "ai.fastai4j.hooks..",
        "ai.fastai4j.data..", "ai.fastai4j.engine..", "ai.fastai4j.export..",
        "ai.fastai4j.interpret..", "ai.fastai4j.io..", "ai.fastai4j.learner..", "ai.fastai4j.losses..",
        "ai.fastai4j.metrics..", "ai.fastai4j.nn..", "ai.fastai4j.optim..", "ai.fastai4j.plot..",
        "ai.fastai4j.schedule.."};

    private static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("ai.fastai4j");
        // the rules below would pass vacuously on an empty or partial import
        for (String p : new String[] {"ai.fastai4j.engine", "ai.fastai4j.learner", "ai.fastai4j.vision",
            "ai.fastai4j.tabular", "ai.fastai4j.collab", "ai.fastai4j.text", "ai.fastai4j.serve", "ai.fastai4j.spark", "ai.fastai4j.cli"}) {
            assertTrue(all.containPackage(p), "classes of " + p + " are on the test class path");
        }
    }

    @Test
    void modulesDependOneWay() {
        // core <- vision, tabular, text <- serve, spark <- cli; the applications do not use each other
        ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("core").definedBy(CORE)
                .layer("vision").definedBy("ai.fastai4j.vision..")
                .layer("tabular").definedBy("ai.fastai4j.tabular..", "ai.fastai4j.collab..")
                .layer("text").definedBy("ai.fastai4j.text..")
                .layer("serve").definedBy("ai.fastai4j.serve..")
                .layer("spark").definedBy("ai.fastai4j.spark..")
                .layer("cli").definedBy("ai.fastai4j.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("serve").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("spark").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("vision").mayOnlyBeAccessedByLayers("serve", "spark", "cli")
                .whereLayer("tabular").mayOnlyBeAccessedByLayers("serve", "spark", "cli")
                .whereLayer("text").mayOnlyBeAccessedByLayers("serve", "spark", "cli");
        rule.check(all);
    }

    @Test
    void corePackagesHaveNoCycles() {
        JavaClasses core = all.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage(CORE));
        slices().matching("ai.fastai4j.(**)").should().beFreeOfCycles().check(core);
    }

    @Test
    void onlyTheEngineTouchesDjlPyTorchInternals() {
        noClasses().that().resideOutsideOfPackage("ai.fastai4j.engine..")
                .should().dependOnClassesThat().resideInAPackage("ai.djl.pytorch..")
                .because("the engine package is the one seam to DJL's PyTorch internals (JniUtils, PtNDArray, ...)")
                .check(all);
    }

    /** The rules above do catch what they are about (a rule that cannot fail checks nothing). */
    @Test
    void theRulesSeeViolations() {
        EvaluationResult coreOnEngine = noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAPackage("ai.fastai4j.engine..").evaluate(all);
        assertTrue(coreOnEngine.hasViolation(), "the learner does use the engine: the import sees dependencies");
        EvaluationResult engine = noClasses().that().resideInAPackage("ai.fastai4j.engine..")
                .should().dependOnClassesThat().resideInAPackage("ai.djl.pytorch..").evaluate(all);
        assertTrue(engine.hasViolation(), "the engine package does call ai.djl.pytorch");
        assertTrue(Arrays.stream(CORE).allMatch(p -> all.containPackage(p.endsWith("..") ? p.substring(0, p.length() - 2) : p)), "core");
    }
}
