package ai.fastai4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpochTableTest {

    private final EpochTable table = new EpochTable(List.of("epoch", "train_loss", "valid_loss", "accuracy", "time"));

    @Test
    void headerAndRowMatchFastai() {
        assertEquals("epoch     train_loss  valid_loss  accuracy  time", table.header());
        assertEquals("0         0.123457    0.200000    0.950000  01:05",
                table.row(List.of(0, 0.1234567, 0.2, 0.95f, 65.4)));
        String h = table.header();
        String r = table.row(List.of(12, 1.0, 0.5, 0.25, 3725.0));
        assertEquals("12        1.000000    0.500000    0.250000  1:02:05", r);
        // columns line up
        assertEquals(h.indexOf("train_loss"), r.indexOf("1.000000"));
        assertEquals(h.indexOf("accuracy"), r.indexOf("0.250000"));
    }

    @Test
    void specialValues() {
        assertEquals("1         nan         inf         #na#      00:59",
                table.row(Arrays.asList(1L, Double.NaN, Double.POSITIVE_INFINITY, "#na#", Duration.ofMillis(59_999))));
        assertEquals("2                     0.000000", table.row(Arrays.asList(2, null, 0.0, null, null)));
        assertEquals("00:00", EpochTable.formatTime(0.4));
        assertEquals("01:05", EpochTable.formatTime(65.4));
        assertEquals("0.123457", EpochTable.formatValue("x", 0.1234565));
    }

    @Test
    void wideValueWidensItsCell() {
        EpochTable t = new EpochTable(List.of("epoch", "loss"));
        assertEquals("epoch     loss", t.header());
        assertEquals("0         123456.789000", t.row(List.of(0, 123456.789)));
        assertEquals("123456789  1.000000", t.row(List.of(123456789, 1.0)));
    }
}
