using System.Text.Json;
using Agents.Abstractions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Agents.Silo.Api.Errors;

/// <summary>
/// Every error as an RFC 7807 problem: the request's faults as 4xx (unreadable or oversized bodies,
/// invalid values, unknown ids, conflicts), the cluster's as 5xx that say whether to retry (an
/// overloaded pool or a missing role: 503; a model endpoint: 502/504; an Orleans time-out: 504).
/// Unexpected errors are logged and answered 500 without internals.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499; // the client went away; nobody reads an answer
            return true;
        }
        var (status, title, detail) = Describe(exception);
        if (status >= 500 && exception is not AgentsException) logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
        if (status is 503 or 429) context.Response.Headers.RetryAfter = "1";
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        if (exception is ModelFailedException model) problem.Extensions["reason"] = model.Reason;
        if (exception is NoSiloWithRoleException role) problem.Extensions["role"] = role.Role;
        if (exception is InvalidWorkflowException workflow) problem.Extensions["problems"] = workflow.Problems;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    public static (int Status, string Title, string Detail) Describe(Exception exception) => exception switch
    {
        BadHttpRequestException e => (e.StatusCode, TitleOf(e.StatusCode), e.InnerException is JsonException json ? $"{e.Message} {json.Message}" : e.Message),
        JsonException e => (400, "Bad Request", $"The body is not valid JSON for this endpoint: {e.Message}"),
        InvalidRequestException e => (400, "Bad Request", e.Message),
        InvalidWorkflowException e => (400, "Bad Request", e.Message),
        NotFoundException e => (404, "Not Found", e.Message),
        ConflictException e => (409, "Conflict", e.Message),
        OverloadedException e => (503, "Service Unavailable", e.Message),
        NoSiloWithRoleException e => (503, "Service Unavailable", e.Message),
        ModelFailedException { Reason: "timeout" } e => (504, "Gateway Timeout", e.Message),
        ModelFailedException e => (502, "Bad Gateway", e.Message),
        UnauthorizedAccessException e => (401, "Unauthorized", e.Message),
        ArgumentException e => (400, "Bad Request", e.Message),   // a value the API layer could not use: the request's fault
        TimeoutException => (504, "Gateway Timeout", "The cluster did not answer in time; the request may or may not have run (adds are idempotent: retry)."),
        SiloUnavailableException or OrleansMessageRejectionException =>
            (503, "Service Unavailable", "A silo of the cluster is unavailable; retry shortly."),
        _ => (500, "Internal Server Error", "The server failed the request; it has been logged."),
    };

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        _ => "Bad Request",
    };
}
