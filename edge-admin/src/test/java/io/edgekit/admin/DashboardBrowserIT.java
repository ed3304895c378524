package io.edgekit.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's chromium and chromium-driver, driven by Selenium) against a
 * running edge under traffic: routes, endpoint states and counts appear, and the counts go up. Saves a
 * screenshot as {@code target/dashboard.png}. Where the browser is not installed the test is skipped with a
 * message saying so (`.ci/run` installs it).
 */
@Timeout(120)
class DashboardBrowserIT {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final Path DRIVER = Paths.get("/usr/bin/chromedriver");

    @Test
    void theDashboardShowsRoutesEndpointsAndLiveCounts() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "skipped: no browser here (needs Debian's chromium and chromium-driver: /usr/bin/chromium and"
                        + " /usr/bin/chromedriver; .ci/run installs them)");
        try (AdminFixture fixture = new AdminFixture()) {
            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient client = HttpClient.newHttpClient();
            Thread traffic = new Thread(() -> {
                int i = 0;
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (running.get() && System.nanoTime() < end) {
                    try {
                        client.send(HttpRequest.newBuilder(URI.create(fixture.edgeUrl("/api/item-" + (i++ % 50)))).build(),
                                HttpResponse.BodyHandlers.discarding());
                        Thread.sleep(5); // steady traffic, a few hundred requests a second at most
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "dashboard-traffic");
            traffic.setDaemon(true);
            traffic.start();
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                            "--window-size=1280,900");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort().build();
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get(fixture.adminUrl("/"));
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                wait.until(b -> !b.findElements(By.cssSelector("#routes tr[data-route='api']")).isEmpty());
                wait.until(b -> requests(b) > 0);
                long first = requests(browser);
                wait.until(b -> requests(b) > first); // the page refreshes by itself, and the count goes up
                wait.until(b -> !b.findElement(By.cssSelector("#routes tr[data-route='api'] td.rate")).getText().equals("-"));
                List<WebElement> endpoints = browser.findElements(By.cssSelector("#upstreams tr[data-endpoint]"));
                assertEquals(2, endpoints.size());
                for (WebElement endpoint : endpoints) {
                    assertEquals("SERVING", endpoint.findElement(By.cssSelector("td.state")).getText());
                }
                assertTrue(browser.findElement(By.id("status")).getText().startsWith("updated "));
                Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
                Files.createDirectories(Paths.get("target"));
                Files.copy(shot, Paths.get("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                running.set(false);
                browser.quit();
            }
        }
    }

    private static long requests(WebDriver browser) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#routes tr[data-route='api'] td.requests"));
        if (cells.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseLong(cells.get(0).getText());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
