namespace Agents.Tests.Integration.Grains.TestGrains;

public sealed class ProbeGrain : Grain, IProbeGrain
{
    private readonly string _activation = Guid.NewGuid().ToString("N");
    private int _running;
    private int _maxRunning;

    public Task<string> IdentityAsync() => Task.FromResult($"{RuntimeIdentity}/{_activation}");

    public async Task<int> WorkAsync(TimeSpan hold)
    {
        _maxRunning = Math.Max(_maxRunning, ++_running);
        await Task.Delay(hold);
        _running--;
        return _maxRunning;
    }
}
