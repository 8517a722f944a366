using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace WalletDesk.Server.Infrastructure;

/// <summary>Turns every unhandled exception into a problem response without internals; database outages become a fast 503.</summary>
internal sealed class WalletDeskExceptionHandler(ILogger<WalletDeskExceptionHandler> logger, IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status >= 500)
        {
            // Exception messages can quote request data; the type and trace id are enough to find it.
            logger.LogError("Request {Method} {Path} failed with {ExceptionType} (trace {TraceId})", httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, httpContext.TraceIdentifier);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = status;
        if (JsonFieldOf(exception) is { } field)
        {
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [field] = ["This value has the wrong JSON type for this field (numbers, money amounts included, must be JSON numbers, not strings)."],
                })
                {
                    Status = status,
                    Title = "The request has invalid fields.",
                    Detail = detail,
                },
            });
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>The request field a JSON body error is about (<c>$.amountMinor</c> → <c>amountMinor</c>), when System.Text.Json knows it.</summary>
    internal static string? JsonFieldOf(Exception exception)
    {
        if (exception is not BadHttpRequestException { InnerException: System.Text.Json.JsonException { Path: { Length: > 2 } path } }
            || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        return path[2..];
    }

    internal static (int Status, string Title, string Detail) Classify(Exception exception)
    {
        if (exception is BadHttpRequestException bad)
        {
            return bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? (413, "Request too large", "The request body is larger than this endpoint accepts.")
                : (bad.StatusCode, "Bad request", bad.InnerException is System.Text.Json.JsonException ? "The request body is not valid JSON for this endpoint." : "The request could not be read.");
        }

        if (IsDatabaseUnavailable(exception))
        {
            return (503, "Service temporarily unavailable", "The database is not reachable right now. Nothing was changed; try again in a few seconds.");
        }

        if (exception is OperationCanceledException)
        {
            return (499, "Request cancelled", "The request was cancelled.");
        }

        return (500, "Something went wrong", "An unexpected error occurred. It has been logged; quote the trace id when you report it.");
    }

    internal static bool IsDatabaseUnavailable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.NpgsqlException npgsql when npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or TimeoutException or IOException:
                case Npgsql.PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" }:
                case Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 or 14 }:
                case TimeoutException:
                case System.Net.Sockets.SocketException:
                    return true;
                case DbException when e.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase):
                    return true;
            }
        }

        return false;
    }
}
