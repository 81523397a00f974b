using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;
using Agents.Runtime.Activation;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Timers;

/// <summary>A timer tick queued as a turn of its activation. Never leaves the silo.</summary>
internal sealed class TimerTickRequest : GrainRequest<None>, IResponseSink
{
    private readonly GrainTimer _timer;
    private readonly ActivationData _activation;

    public TimerTickRequest(GrainTimer timer, ActivationData activation)
    {
        _timer = timer;
        _activation = activation;
        Target = activation.Id;
        Flags = RequestFlags.NoKeepAlive;
        Sink = this;
    }

    public override int MethodId => -1;
    public override string MethodName => "timer tick";
    public override bool IsReadOnly => false;
    public override void WriteArguments(WireWriter writer) => throw new NotSupportedException("Timer ticks are local.");
    public override void ReadArguments(ref WireReader reader) => throw new NotSupportedException("Timer ticks are local.");

    protected override async ValueTask<None> InvokeAsync(object grain)
    {
        await _timer.TickAsync();
        return default;
    }

    protected override void WriteResultValue(WireWriter writer, None value) { }
    protected override None ReadResultValue(ref WireReader reader) => default;

    void IResponseSink.Send(GrainRequest request)
    {
        if (request.Outcome == ResponseKind.Error)
            _activation.Runtime.Logger.LogWarning("Timer callback of {Grain} threw {Type}: {Message}", _activation.Id, request.Error!.ExceptionType, request.Error.Message);
    }
}
