using Microsoft.Playwright;

namespace Agents.Tests.Integration.WebConsole;

/// <summary>
/// Debian's chromium driven by Playwright (no browser download: the executable is the system's), on a
/// page of the console signed in with a key. Collects the page's script errors; saves screenshots
/// under the test output directory (<c>bin/.../console-screenshots</c>).
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>The browser: <c>AGENTS_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c> (test.sh installs it).</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("AGENTS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page, Uri baseAddress)
    {
        _playwright = playwright;
        _browser = browser;
        _context = context;
        Page = page;
        BaseAddress = baseAddress;
        page.PageError += (_, error) => { lock (Errors) Errors.Add(error); };
        page.Console += (_, message) => { if (message.Type == "error") lock (Errors) Errors.Add(message.Text); };
    }

    public IPage Page { get; }
    public Uri BaseAddress { get; }

    /// <summary>Script errors and console errors of the page so far.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<ConsoleBrowser> StartAsync(Uri baseAddress)
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"No browser at {ExecutablePath}: install Debian's chromium (apt-get install -y chromium; test.sh does) or set AGENTS_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true });
        // UTC and a fixed locale: the as-of field (datetime-local) is read in the browser's time zone.
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 }, TimezoneId = "UTC", Locale = "en-GB" });
        context.SetDefaultTimeout(60_000);
        return new ConsoleBrowser(playwright, browser, context, await context.NewPageAsync(), baseAddress);
    }

    /// <summary>Opens the console, pastes the key and waits for the tenant to show.</summary>
    public async Task SignInAsync(string key, string tenant)
    {
        await Page.GotoAsync(BaseAddress.ToString());
        await Page.FillAsync("#key-input", key);
        await Page.ClickAsync("#key-submit");
        await Page.Locator("#tenant").Filter(new() { HasTextString = tenant }).WaitForAsync();
    }

    /// <summary>Goes to a route of the console (<c>#/runs/ID</c>, <c>#/memory?...</c>, <c>#/insights/TEAM</c>).</summary>
    public Task GoAsync(string hash) => Page.EvaluateAsync("h => { location.hash = h; }", hash);

    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
