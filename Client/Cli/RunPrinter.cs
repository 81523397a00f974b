using System.Text.Json;
using System.Text.Json.Serialization;
using Agents.Abstractions.Workflows;
using Spectre.Console;

namespace Agents.Cli;

/// <summary>How a run shows on the terminal: one line per event as it happens, then the answer and its
/// citations; or, with <c>--json</c>, one JSON object at the end.</summary>
internal sealed class RunPrinter(TextWriter output, bool json)
{
    private readonly IAnsiConsole _console = Create(output);

    // Colours and wrapping only on a terminal: output piped to a file or a program stays plain lines.
    private static IAnsiConsole Create(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = 4096;
        return console;
    }

    public void Event(WorkflowEvent e)
    {
        if (json) return;
        var step = e.Step is { } n ? $"[grey]step {n}[/] " : "";
        var agent = e.Agent is { } a ? $"[bold]{Markup.Escape(a)}[/] " : "";
        var (mark, colour) = e.Type switch
        {
            WorkflowEventType.StepStarted => ("→", "grey"),
            WorkflowEventType.StepFinished => ("✓", "green"),
            WorkflowEventType.StepFailed or WorkflowEventType.RunFailed => ("✗", "red"),
            WorkflowEventType.StepSkipped or WorkflowEventType.RunCancelled => ("–", "yellow"),
            WorkflowEventType.ModelCalled => ("◆", "blue"),
            WorkflowEventType.MemoryRead or WorkflowEventType.MemoryWritten => ("•", "yellow"),
            _ => ("■", "bold"),
        };
        var tokens = e.PromptTokens is null && e.CompletionTokens is null ? "" : $" [grey]({e.PromptTokens ?? 0} + {e.CompletionTokens ?? 0} tokens)[/]";
        _console.MarkupLine($"[{colour}]{mark}[/] {step}{agent}[grey]{e.Type}[/] {Markup.Escape(e.Message)}{tokens}");
    }

    public void Result(WorkflowRunStatus status)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new RunResult(status.RunId, status.State, status.Answer,
                status.Citations.Select(c => new RunCitation(c.Id, c.Text)).ToArray(), status.Steps, status.Error), RunResultJson.Options));
            return;
        }
        _console.WriteLine();
        if (status.State == WorkflowRunState.Completed)
        {
            _console.MarkupLine("[bold]Answer[/]");
            _console.WriteLine(status.Answer ?? "");
            if (status.Citations.Count > 0)
            {
                _console.MarkupLine("[bold]Citations[/]");
                for (var i = 0; i < status.Citations.Count; i++)
                    _console.MarkupLine($"  [[{i + 1}]] {Markup.Escape(status.Citations[i].Text)} [grey]({Markup.Escape(status.Citations[i].Source)}, {status.Citations[i].Id})[/]");
            }
        }
        else
        {
            _console.MarkupLine($"[red]Run {Markup.Escape(status.RunId)} {status.State}[/]: {Markup.Escape(status.Error ?? "")}");
        }
        _console.MarkupLine($"[grey]run {Markup.Escape(status.RunId)}: {status.State}, {status.Steps} steps[/]");
    }

    private sealed record RunCitation(Guid Id, string Text);

    private sealed record RunResult(string Run, string Status, string? Answer, IReadOnlyList<RunCitation> Citations, int Steps, string? Error);

    private static class RunResultJson
    {
        public static readonly JsonSerializerOptions Options = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
    }
}
