package ai.fastai4j.interpret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Confusion matrix, most confused, top losses and the classification report on a hand-computed case. */
class ClassificationInterpretationTest {

    /**
     * Seven items of classes a, b, c. Targets a a a b b c c; predictions (argmax) a b c b a b b. Losses are
     * given (about -ln p[target]); items 1 and 5 tie for the highest.
     */
    static ClassificationInterpretation sample() {
        float[][] probs = {
            {0.7f, 0.2f, 0.1f}, // a -> a
            {0.1f, 0.6f, 0.3f}, // a -> b
            {0.2f, 0.3f, 0.5f}, // a -> c
            {0.1f, 0.8f, 0.1f}, // b -> b
            {0.6f, 0.3f, 0.1f}, // b -> a
            {0.2f, 0.7f, 0.1f}, // c -> b
            {0.1f, 0.5f, 0.4f}, // c -> b
        };
        int[] targets = {0, 0, 0, 1, 1, 2, 2};
        float[] losses = {0.36f, 2.30f, 1.61f, 0.22f, 1.20f, 2.30f, 0.92f};
        return ClassificationInterpretation.of(probs, targets, losses, List.of("a", "b", "c"));
    }

    @Test
    void confusionMatrixCountsActualRowsAndPredictedColumns() {
        ClassificationInterpretation interp = sample();
        assertArrayEquals(new int[] {0, 1, 2, 1, 0, 1, 1}, interp.decoded());
        long[][] cm = interp.confusionMatrix();
        assertArrayEquals(new long[] {1, 1, 1}, cm[0]);
        assertArrayEquals(new long[] {1, 1, 0}, cm[1]);
        assertArrayEquals(new long[] {0, 2, 0}, cm[2]);
    }

    @Test
    void mostConfusedIsOffDiagonalLargestFirstThenRowMajor() {
        ClassificationInterpretation interp = sample();
        assertEquals(List.of(new Confusion("c", "b", 2), new Confusion("a", "b", 1), new Confusion("a", "c", 1),
                new Confusion("b", "a", 1)), interp.mostConfused(1));
        assertEquals(List.of(new Confusion("c", "b", 2)), interp.mostConfused(2));
        assertEquals(List.of(), interp.mostConfused(3));
        // 0 lists all six pairs of different classes, the empty ones last
        List<Confusion> all = interp.mostConfused(0);
        assertEquals(6, all.size());
        assertEquals(new Confusion("b", "c", 0), all.get(4));
        assertEquals(new Confusion("c", "a", 0), all.get(5));
    }

    @Test
    void topLossesAreHighestFirstWithTiesByIndex() {
        ClassificationInterpretation interp = sample();
        List<TopLoss> top = interp.topLosses(3);
        assertEquals(3, top.size());
        assertEquals(List.of(1, 5, 2), top.stream().map(TopLoss::index).toList());
        assertEquals(2.30, top.get(0).loss(), 1e-6);
        assertEquals(0.6, top.get(0).probability(), 1e-6); // probability of the prediction (b)
        assertEquals("b", top.get(0).predicted());
        assertEquals("a", top.get(0).actual());
        assertEquals(0.7, top.get(1).probability(), 1e-6);
        assertEquals("c", top.get(1).actual());
        assertEquals(1.61, top.get(2).loss(), 1e-6);
        assertEquals(0.5, top.get(2).probability(), 1e-6);
        assertEquals("c/a / 1.61 / 0.50", top.get(2).title());
        assertEquals("#2", top.get(2).item());
        assertEquals(7, interp.topLosses(100).size());
        assertEquals(0.22, interp.topLosses(7).get(6).loss(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> interp.topLosses(-1));
    }

    @Test
    void classificationReportNumbersByHand() {
        ClassificationReport r = sample().classificationReport();
        // a: precision 1/2, recall 1/3, f1 0.4; b: 1/4, 1/2, 1/3; c: 0/1, 0/2, 0
        assertEquals(0.5, r.classes().get(0).precision(), 1e-12);
        assertEquals(1.0 / 3, r.classes().get(0).recall(), 1e-12);
        assertEquals(0.4, r.classes().get(0).f1(), 1e-12);
        assertEquals(3, r.classes().get(0).support());
        assertEquals(0.25, r.classes().get(1).precision(), 1e-12);
        assertEquals(0.5, r.classes().get(1).recall(), 1e-12);
        assertEquals(1.0 / 3, r.classes().get(1).f1(), 1e-12);
        assertEquals(0.0, r.classes().get(2).precision(), 0);
        assertEquals(0.0, r.classes().get(2).f1(), 0);
        assertEquals(2.0 / 7, r.accuracy(), 1e-12);
        assertEquals(0.25, r.macroAvg().precision(), 1e-12);
        assertEquals((1.0 / 3 + 0.5) / 3, r.macroAvg().recall(), 1e-12);
        assertEquals((0.4 + 1.0 / 3) / 3, r.macroAvg().f1(), 1e-12);
        assertEquals(2.0 / 7, r.weightedAvg().precision(), 1e-12); // (0.5*3 + 0.25*2) / 7
        assertEquals(2.0 / 7, r.weightedAvg().recall(), 1e-12); // (1/3*3 + 0.5*2) / 7
        assertEquals((0.4 * 3 + 2.0 / 3) / 7, r.weightedAvg().f1(), 1e-12);
        assertEquals(7, r.total());
        String expected = """
                              precision    recall  f1-score   support

                           a       0.50      0.33      0.40         3
                           b       0.25      0.50      0.33         2
                           c       0.00      0.00      0.00         2

                    accuracy                           0.29         7
                   macro avg       0.25      0.28      0.24         7
                weighted avg       0.29      0.29      0.27         7
                """;
        assertEquals(expected, r.toString());
    }

    /** The example in scikit-learn's classification_report documentation, digit for digit. */
    @Test
    void classificationReportMatchesScikitLearnsDocumentedExample() {
        // y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1]
        long[][] cm = {{1, 0, 0}, {1, 0, 0}, {0, 1, 2}};
        ClassificationReport r = ClassificationReport.fromConfusionMatrix(cm, List.of("class 0", "class 1", "class 2"));
        String expected = """
                              precision    recall  f1-score   support

                     class 0       0.50      1.00      0.67         1
                     class 1       0.00      0.00      0.00         1
                     class 2       1.00      0.67      0.80         3

                    accuracy                           0.60         5
                   macro avg       0.50      0.56      0.49         5
                weighted avg       0.70      0.60      0.61         5
                """;
        assertEquals(expected, r.toString());
    }

    @Test
    void roundingIsHalfToEvenOnTheBinaryValueAsInPython() {
        assertEquals("0.12", ClassificationReport.fixed(0.125, 2)); // exact tie: to even
        assertEquals("0.38", ClassificationReport.fixed(0.375, 2));
        assertEquals("0.67", ClassificationReport.fixed(2.0 / 3, 2));
        assertEquals("0.3333", ClassificationReport.fixed(1.0 / 3, 4));
    }

    @Test
    void confusionMatrixPlotIsWritten(@TempDir Path dir) throws Exception {
        Path png = sample().plotConfusionMatrix(dir.resolve("cm.png"), true);
        assertTrue(Files.size(png) > 1000);
        assertFalse(sample().canDrawItems());
        assertThrows(UnsupportedOperationException.class, () -> sample().plotTopLosses(3, dir.resolve("t.png")));
    }

    @Test
    void badInputIsRefusedWithTheItemNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassificationInterpretation.of(
                new float[][] {{0.5f, 0.5f}}, new int[] {2}, new float[] {0.7f}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("item 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassificationInterpretation.of(
                new float[][] {{0.5f, 0.5f}}, new int[] {0, 1}, new float[] {0.7f}, List.of("a", "b")));
    }
}
