namespace WalletDesk.Server.Infrastructure;

/// <summary>RFC 9457 problem results used across features.</summary>
public static class Problems
{
    public static IResult Validation(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request has invalid fields.");

    public static IResult NotFound(string what = "The item") =>
        TypedResults.Problem(title: "Not found", detail: $"{what} does not exist or you cannot see it.", statusCode: StatusCodes.Status404NotFound);

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(title: "Conflict", detail: detail, statusCode: StatusCodes.Status409Conflict);
}
