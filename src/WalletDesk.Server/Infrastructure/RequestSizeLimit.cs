using Microsoft.AspNetCore.Http.Metadata;

namespace WalletDesk.Server.Infrastructure;

/// <summary>
/// Refuses a declared body larger than the endpoint allows with a 413 problem before anything reads it.
/// Kestrel's own limit still stops undeclared (chunked) bodies while they stream.
/// </summary>
internal static class RequestSizeLimit
{
    public static IApplicationBuilder UseRequestSizeProblem(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? WebModule.DefaultMaxBodyBytes;
            if (context.Request.ContentLength is { } length && length > limit)
            {
                context.Response.Headers.Connection = "close";
                await TypedResults.Problem(
                    title: "Request too large",
                    detail: $"The request body is {length:N0} bytes; this endpoint accepts at most {limit:N0} bytes.",
                    statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(context);
                return;
            }

            await next();
        });
}
