package ai.fastai4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.learner.Prediction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * End to end in a real headless browser: Debian's {@code chromium}, driven through {@code /usr/bin/chromedriver}
 * with Selenium (no driver downloads). The page is opened, images are uploaded through its file input, and the
 * predicted classes must appear as the model predicts them.
 *
 * <p>Needs the apt packages {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them). Without
 * them the test <b>fails</b> and says so; {@code -Dfastai4j.skipBrowserTests=true} skips it on purpose. Other
 * locations: {@code -Dfastai4j.chromium=...}, {@code -Dfastai4j.chromedriver=...}.
 */
class WebPageBrowserTest {
    static Path chromium;
    static Path chromedriver;

    @TempDir
    static Path dir;

    @BeforeAll
    static void findChromium() {
        Assumptions.assumeFalse(Boolean.getBoolean("fastai4j.skipBrowserTests"),
                "browser test skipped on request (-Dfastai4j.skipBrowserTests=true)");
        chromium = Path.of(System.getProperty("fastai4j.chromium", "/usr/bin/chromium"));
        chromedriver = Path.of(System.getProperty("fastai4j.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            fail("the end-to-end browser test needs Debian's chromium and chromium-driver, and "
                    + (Files.isExecutable(chromium) ? "" : chromium + " ")
                    + (Files.isExecutable(chromedriver) ? "" : chromedriver + " ")
                    + "is missing: run `sudo apt-get install -y chromium chromium-driver` (.ci/run does it), or pass"
                    + " -Dfastai4j.skipBrowserTests=true to skip this test on purpose");
        }
    }

    /** Held so that the level sticks: CDP (DevTools) is not used here, its version warning is noise. */
    private static final java.util.logging.Logger CDP_LOG =
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static WebDriver startBrowser() {
        CDP_LOG.setLevel(java.util.logging.Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=1100,900");
        return new ChromeDriver(service, options);
    }

    /** Polls until {@code ok} holds, for up to 20 s; fails with {@code what} and the page's state otherwise. */
    static void waitFor(WebDriver d, String what, Supplier<Boolean> ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (ok.get()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out waiting for " + what + "; status '" + d.findElement(By.id("status")).getText() + "', error '"
                + d.findElement(By.id("error")).getText() + "'");
    }

    @Test
    void aPersonUploadsImagesAndSeesTheTopClasses() throws Exception {
        // not trained: probabilities away from 0 and 1, so that the numbers shown say something
        Path file = TinyModel.export(dir, 0);
        Random r = new Random(21);
        Path red = Files.write(dir.resolve("red.png"), TinyModel.encode(TinyModel.image("red", 48, 40, r), "png"));
        Path blue = Files.write(dir.resolve("blue.jpg"), TinyModel.encode(TinyModel.image("blue", 30, 60, r), "jpg"));
        Path notes = Files.writeString(dir.resolve("notes.png"), "meeting notes, not a picture", StandardCharsets.UTF_8);
        try (InferenceModel model = InferenceModel.load(file);
                ModelServer server = ModelServer.builder().model(model).port(0).start()) {
            WebDriver d = startBrowser();
            try {
                d.get(server.url());
                assertEquals("fastai4j model server", d.getTitle());
                waitFor(d, "the model description", () -> d.findElement(By.id("model")).getText().contains("SIMPLE_CNN"));
                assertEquals("colours.fai \u00b7 SIMPLE_CNN \u00b7 2 classes \u00b7 28\u00d728 px",
                        d.findElement(By.id("model")).getText());

                for (Path image : List.of(red, blue)) {
                    d.findElement(By.id("file")).sendKeys(image.toAbsolutePath().toString());
                    waitFor(d, "the top classes of " + image.getFileName(),
                            () -> d.findElements(By.cssSelector("#results .result")).size() == 2
                                    && d.findElement(By.id("status")).getText().startsWith("Top classes"));
                    Prediction want = model.predict(image);
                    float[] p = want.probs();
                    int best = p[0] >= p[1] ? 0 : 1;
                    List<WebElement> rows = d.findElements(By.cssSelector("#results .result"));
                    assertEquals(want.label(), rows.get(0).findElement(By.className("label")).getText(),
                            "the predicted class comes first for " + image.getFileName());
                    assertEquals(model.vocab().get(1 - best), rows.get(1).findElement(By.className("label")).getText());
                    assertEquals(String.format(Locale.ROOT, "%.1f%%", 100 * p[best]),
                            rows.get(0).findElement(By.className("prob")).getText());
                    assertEquals(String.format(Locale.ROOT, "%.1f%%", 100 * p[1 - best]),
                            rows.get(1).findElement(By.className("prob")).getText());
                    for (int i = 0; i < 2; i++) {
                        String style = rows.get(i).findElement(By.className("fill")).getAttribute("style");
                        java.util.regex.Matcher w = java.util.regex.Pattern.compile("width: ([0-9.]+)%").matcher(style);
                        assertTrue(w.find(), style);
                        assertEquals(100 * p[i == 0 ? best : 1 - best], Double.parseDouble(w.group(1)), 0.051, style);
                    }
                    assertEquals("", d.findElement(By.id("error")).getText());
                    assertTrue(d.findElement(By.id("preview")).isDisplayed());
                }

                // a file that is not an image: the server's message is shown, no classes
                d.findElement(By.id("file")).sendKeys(notes.toAbsolutePath().toString());
                waitFor(d, "the error for notes.png", () -> !d.findElement(By.id("error")).getText().isEmpty());
                assertTrue(d.findElement(By.id("error")).getText().contains("not an image"),
                        d.findElement(By.id("error")).getText());
                assertEquals(0, d.findElements(By.cssSelector("#results .result")).size());
            } finally {
                d.quit();
            }
            ModelServer.Stats st = server.stats();
            assertEquals(3, st.requests());
            assertEquals(2, st.predictions());
            assertEquals(1, st.clientErrors());
            assertEquals(0, st.serverErrors());
        }
    }
}
