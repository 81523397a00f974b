namespace Agents.Grains.Errors;

/// <summary>
/// Translates what Agents' grains throw (<see cref="ErrorTranslation"/>) before it leaves the silo, so
/// that callers see only contract exceptions, whichever engine or model failed underneath.
/// </summary>
public sealed class ErrorTranslationFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception error) when (context.Grain is Grain { } grain
                                      && grain.GetType().Assembly == typeof(ErrorTranslationFilter).Assembly
                                      && ErrorTranslation.Translate(error) is { } translated)
        {
            throw translated;
        }
    }
}
