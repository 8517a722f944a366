using System.Security.Claims;
using WalletDesk.Server.Features.Identity;
using WalletDesk.Server.Infrastructure;

namespace WalletDesk.Server.Features.Assistant;

internal static class AssistantEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/assistant").WithTags("Assistant").AddEndpointFilter(TranslateErrors);

        // Agents: what the assistant understood, corrections, drafts, a try-it box.
        api.MapGet("/conversations/{id:long}", GetConversation).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        api.MapPost("/conversations/{id:long}/turns/{seq:int}/intent", CorrectIntent).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        api.MapPost("/conversations/{id:long}/draft", DraftReply).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsWrite);
        api.MapGet("/intents", ListIntents).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);
        api.MapPost("/predict", Predict).RequireStaff(StaffRoles.Agent, ApiScopes.TicketsRead);

        // Supervisors: training data, model versions, figures.
        api.MapPost("/intents", AddIntent).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        api.MapGet("/examples", ListExamples).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        api.MapPost("/examples", AddExample).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        api.MapGet("/models", ListModels).RequireStaff(StaffRoles.Supervisor, ApiScopes.ReportsRead);
        api.MapPost("/models/retrain", Retrain).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        api.MapPost("/models/{version}/activate", Activate).RequireStaff(StaffRoles.Supervisor, ApiScopes.KbWrite);
        api.MapGet("/metrics", GetMetrics).RequireStaff(StaffRoles.Supervisor, ApiScopes.ReportsRead);
    }

    private static async Task<IResult> GetConversation(long id, AssistantReview review, CancellationToken ct) =>
        await review.ConversationAsync(id, ct) is { } found ? TypedResults.Ok(ToResponse(found.Conversation, found.Turns)) : Problems.NotFound("The conversation");

    private static async Task<IResult> CorrectIntent(long id, int seq, CorrectIntentRequest request, AssistantReview review, ClaimsPrincipal user, CancellationToken ct) =>
        await review.CorrectAsync(id, seq, request.Intent, Actor(user), ct) is { } turn ? TypedResults.Ok(ToResponse(turn)) : Problems.NotFound("The message");

    private static async Task<IResult> DraftReply(long id, DraftRequest? request, ReplyDrafts drafts, CancellationToken ct)
    {
        try
        {
            return await drafts.DraftAsync(id, request?.Hint, ct) is { } draft ? TypedResults.Ok(draft) : Problems.NotFound("The conversation");
        }
        catch (DraftUnavailableException ex)
        {
            return TypedResults.Problem(title: "Drafts unavailable", detail: ex.Message, statusCode: drafts.Enabled ? StatusCodes.Status502BadGateway : StatusCodes.Status404NotFound);
        }
    }

    private static async Task<IResult> ListIntents(AssistantModels models, AssistantReview review, CancellationToken ct) =>
        TypedResults.Ok(new IntentsResponse(await models.KnownLabelsAsync(ct), (await review.CustomIntentsAsync(ct)).Select(ToResponse).ToList()));

    private static async Task<IResult> Predict(PredictRequest request, AssistantModels models, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > 4000)
        {
            return Problems.Validation("text", "Give 1–4000 characters of text.");
        }

        var model = await models.GetAsync(ct);
        var p = model.Model.Predict(Redaction.Redactor.Redact(request.Text).Text);
        return TypedResults.Ok(new PredictResponse(p.Intent, p.Confidence, p.DeclineReason.ToString(), p.Ranked.Select(r => new RankedIntent(r.Intent, r.Probability)).ToList(), model.Version));
    }

    private static async Task<IResult> AddIntent(AddIntentRequest request, AssistantReview review, ClaimsPrincipal user, CancellationToken ct)
    {
        var intent = await review.AddIntentAsync(request.Key, request.Description, request.ArticleSlug, request.Group, request.Examples, Actor(user), ct);
        return TypedResults.Created($"/api/assistant/intents", ToResponse(intent));
    }

    private static async Task<IResult> ListExamples(AssistantReview review, CancellationToken ct, int limit = 200) =>
        TypedResults.Ok((await review.ExamplesAsync(limit, ct)).Select(ToResponse).ToList());

    private static async Task<IResult> AddExample(AddExampleRequest request, AssistantReview review, ClaimsPrincipal user, CancellationToken ct) =>
        TypedResults.Created("/api/assistant/examples", ToResponse(await review.AddExampleAsync(request.Text, request.Intent, Actor(user), ct)));

    private static async Task<IResult> ListModels(AssistantModels models, CancellationToken ct) =>
        TypedResults.Ok((await models.ListAsync(ct)).Select(ToResponse).ToList());

    private static async Task<IResult> Retrain(AssistantModels models, ClaimsPrincipal user, CancellationToken ct)
    {
        var result = await models.RetrainAsync(Actor(user), ct);
        return TypedResults.Ok(new RetrainResponse(result.Deployed, result.NewExamples, result.Duration.TotalSeconds, ToResponse(result.Version)));
    }

    private static async Task<IResult> Activate(string version, AssistantModels models, ClaimsPrincipal user, CancellationToken ct) =>
        await models.ActivateAsync(version, Actor(user), ct)
            ? TypedResults.Ok((await models.ListAsync(ct)).Select(ToResponse).First(v => v.Version == version))
            : Problems.NotFound("The deployed model version");

    private static async Task<IResult> GetMetrics(AssistantReview review, CancellationToken ct, int days = 30) =>
        TypedResults.Ok(await review.MetricsAsync(days, ct));

    private static async ValueTask<object?> TranslateErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (AssistantInputException ex)
        {
            return Problems.Validation(ex.Field, ex.Message);
        }
        catch (AssistantConflictException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }

    private static string Actor(ClaimsPrincipal user) => user.FindFirstValue(WalletDeskClaims.Name) ?? "unknown";

    internal static ConversationResponse ToResponse(AssistantConversation c, IReadOnlyList<AssistantTurn> turns) =>
        new(c.ConversationId, c.Language, c.HandedOff, c.HandoffReason, c.Resolved, turns.Select(ToResponse).ToList());

    internal static TurnResponse ToResponse(AssistantTurn t) => new(t.Seq, t.Text, t.Intent, t.Confidence, t.Action, t.CorrectedIntent, t.CorrectedBy, t.ModelVersion);

    internal static IntentResponse ToResponse(AssistantIntent i) => new(i.Key, i.Description, i.ArticleSlug, i.Group, i.CreatedAt);

    internal static ExampleResponse ToResponse(AssistantExample e) => new(e.Id, e.Text, e.Label, e.Source, e.ConversationId, e.CreatedBy, e.CreatedAt);

    internal static ModelVersionResponse ToResponse(AssistantModelVersion v) => new(
        v.Id, v.Status, v.IsActive, v.TrainingRows, v.EvalOpenSetAccuracy, v.EvalAccuracy, v.EvalMacroF1, v.BaselineOpenSetAccuracy, v.Decision, v.CreatedAt, v.CreatedBy, v.ActivatedAt);
}
