using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Assistant;
using WalletDesk.Assistant.Intents;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>A model in memory with the version row it came from.</summary>
public sealed record LoadedModel(string Version, IntentModel Model);

/// <summary>What a retrain decided.</summary>
public sealed record RetrainResult(AssistantModelVersion Version, bool Deployed, int NewExamples, TimeSpan Duration);

public sealed class AssistantConflictException(string message) : Exception(message);

/// <summary>
/// The model lifecycle: the shipped model is trained at first start (in the background) and saved as a versioned
/// file; later starts load the active version's file. Retraining compares the new training set with the active one
/// on the same folds and deploys only when it is not significantly worse (a paired sign test, ModelComparison); every
/// deployed version stays on disk for rollback.
/// The active version is recorded in the database, so every process (and the CLI) agrees on it.
/// </summary>
public sealed class AssistantModels(
    IDbContextFactory<AppDbContext> contexts,
    DataPaths paths,
    TimeProvider time,
    AuditService audit,
    IOptions<AssistantOptions> options,
    ILogger<AssistantModels> logger) : IDisposable
{
    private const int Seed = 20261122;
    private readonly TaskCompletionSource<LoadedModel> _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _training = new(1, 1);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile LoadedModel? _current;

    public string Folder => Path.Combine(paths.Root, "assistant", "models");

    /// <summary>The active model, or null while the first one is still being loaded or trained.</summary>
    public LoadedModel? Current => _current;

    /// <summary>The active model; waits for the first load or training at start.</summary>
    public Task<LoadedModel> GetAsync(CancellationToken ct) => _current is { } m ? Task.FromResult(m) : _firstLoad.Task.WaitAsync(ct);

    /// <summary>Labels the assistant knows: the model's plus operator intents not yet trained.</summary>
    public async Task<IReadOnlyList<string>> KnownLabelsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var extra = await db.Set<AssistantIntent>().Select(i => i.Key).ToListAsync(ct);
        var labels = _current?.Model.Labels ?? WalletIntentModel.LoadTrainingData().Select(r => r.Label).Distinct(StringComparer.Ordinal).ToList();
        return labels.Concat(extra).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Loads the active version (training the shipped one on first start), or picks up a version activated elsewhere.</summary>
    public async Task EnsureCurrentAsync(CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var active = await db.Set<AssistantModelVersion>().AsNoTracking().FirstOrDefaultAsync(v => v.IsActive, ct);
            if (active is not null && _current?.Version == active.Id)
            {
                return;
            }

            LoadedModel loaded;
            if (active is null)
            {
                var (rows, maxId) = await DatasetAsync(db, null, ct);
                var version = "wallet-" + Hash(rows)[..12];
                var model = await TrainAsync(rows, version, ct);
                var row = new AssistantModelVersion
                {
                    Id = version,
                    CreatedAt = time.GetUtcNow(),
                    Status = AssistantModelStatuses.Deployed,
                    IsActive = true,
                    TrainingRows = rows.Count,
                    DataHash = Hash(rows),
                    MaxExampleId = maxId,
                    Decision = "Trained from the shipped examples at first start.",
                    CreatedBy = "system",
                    ActivatedAt = time.GetUtcNow(),
                };
                db.Set<AssistantModelVersion>().Add(row);
                try
                {
                    await db.SaveChangesAsync(ct);
                    loaded = new LoadedModel(version, model);
                }
                catch (DbUpdateException)
                {
                    // Another process recorded the first version at the same time: use whatever is active now.
                    db.ChangeTracker.Clear();
                    active = await db.Set<AssistantModelVersion>().AsNoTracking().FirstAsync(v => v.IsActive, ct);
                    loaded = await LoadAsync(db, active, ct);
                }
            }
            else
            {
                loaded = await LoadAsync(db, active, ct);
            }

            _current = loaded;
            _firstLoad.TrySetResult(loaded);
            logger.LogInformation("Assistant model {Version} active ({Labels} intents)", loaded.Version, loaded.Model.Labels.Count);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Retrains on the shipped data plus every operator and agent example, and deploys the result if it is not worse.</summary>
    /// <exception cref="AssistantConflictException">Another retrain is running.</exception>
    public async Task<RetrainResult> RetrainAsync(string actor, CancellationToken ct)
    {
        if (!await _training.WaitAsync(0, ct))
        {
            throw new AssistantConflictException("A retrain is already running; wait for it to finish.");
        }

        try
        {
            var started = time.GetTimestamp();
            await using var db = await contexts.CreateDbContextAsync(ct);
            var active = await db.Set<AssistantModelVersion>().AsNoTracking().FirstOrDefaultAsync(v => v.IsActive, ct);
            var (rows, maxId, addedIds) = await ExamplesAsync(db, null, ct);
            var baselineMax = active?.MaxExampleId ?? 0;
            var added = addedIds.Values.Count(id => id > baselineMax);

            // Paired comparison on the same folds: the active training set (shipped + the examples it had) against the new one.
            // Examples are append-only, so the active set is exactly the rows with an id up to its MaxExampleId.
            bool InBaseline(LabeledExample r) => !addedIds.TryGetValue(r, out var id) || id <= baselineMax;

            var folds = options.Value.RetrainFolds;
            var (candidate, baseline, comparison) = await Task.Run(() =>
            {
                var c = IntentEvaluator.CrossValidate(rows, folds, Seed, train => IntentTrainer.Train(train, TrainerOptions(null)));
                var b = IntentEvaluator.CrossValidate(rows, folds, Seed, train => IntentTrainer.Train(train.Where(InBaseline).ToArray(), TrainerOptions(null)));
                return (c.Pooled, b.Pooled, ModelComparison.Compare(rows, c.Predictions, b.Predictions));
            }, ct);

            // "Not worse" is a paired test on the rows where the two disagree, not a bare comparison of two figures:
            // retraining moves a few rows each way by chance, and those must not block a good update (ModelComparison).
            var deploy = comparison.IsNotWorse();
            var hash = Hash(rows);
            var now = time.GetUtcNow();
            var version = "wallet-" + now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + hash[..8];
            var decision = string.Create(CultureInfo.InvariantCulture,
                $"{added} new examples; open-set accuracy on {folds} shared folds {candidate.OpenSetAccuracy:P2} vs {baseline.OpenSetAccuracy:P2} for the active training set; the new set answers {comparison.CandidateBetter} rows better and {comparison.CandidateWorse} worse: {(deploy ? "not significantly worse, deployed" : "significantly worse, kept the active version")}.");
            var row = new AssistantModelVersion
            {
                Id = version,
                CreatedAt = now,
                Status = deploy ? AssistantModelStatuses.Deployed : AssistantModelStatuses.Rejected,
                IsActive = false,
                TrainingRows = rows.Count,
                DataHash = hash,
                MaxExampleId = maxId,
                EvalOpenSetAccuracy = candidate.OpenSetAccuracy,
                EvalAccuracy = candidate.Accuracy,
                EvalMacroF1 = candidate.MacroF1,
                BaselineOpenSetAccuracy = baseline.OpenSetAccuracy,
                Decision = decision,
                CreatedBy = actor,
            };
            LoadedModel? loaded = null;
            if (deploy)
            {
                loaded = new LoadedModel(version, await TrainAsync(rows, version, ct));
            }

            db.Set<AssistantModelVersion>().Add(row);
            await db.SaveChangesAsync(ct);
            if (loaded is not null)
            {
                await SetActiveAsync(db, version, ct);
                _current = loaded;
                row.IsActive = true;
            }

            await audit.AppendAsync(new AuditEvent("assistant.model.retrain", deploy ? AuditOutcomes.Success : AuditOutcomes.Failure, "staff", ActorName: actor,
                ObjectType: "assistant-model", ObjectId: version, Details: decision), ct);
            logger.LogInformation("Assistant retrain: {Decision}", decision);
            return new RetrainResult(row, deploy, added, time.GetElapsedTime(started));
        }
        finally
        {
            _training.Release();
        }
    }

    /// <summary>Makes an earlier deployed version active again (rollback).</summary>
    /// <returns>False when there is no such deployed version.</returns>
    public async Task<bool> ActivateAsync(string versionId, string actor, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var version = await db.Set<AssistantModelVersion>().AsNoTracking()
            .FirstOrDefaultAsync(v => v.Id == versionId && v.Status == AssistantModelStatuses.Deployed, ct);
        if (version is null)
        {
            return false;
        }

        var loaded = await LoadAsync(db, version, ct);
        await SetActiveAsync(db, version.Id, ct);
        _current = loaded;
        _firstLoad.TrySetResult(loaded);
        await audit.AppendAsync(new AuditEvent("assistant.model.activate", AuditOutcomes.Success, "staff", ActorName: actor, ObjectType: "assistant-model", ObjectId: version.Id), ct);
        return true;
    }

    public async Task<List<AssistantModelVersion>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await db.Set<AssistantModelVersion>().AsNoTracking().ToListAsync(ct)).OrderByDescending(v => v.CreatedAt).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    public void Dispose()
    {
        _training.Dispose();
        _loading.Dispose();
    }

    public string FileOf(string version) => Path.Combine(Folder, version + ".wdnlu");

    private async Task SetActiveAsync(AppDbContext db, string version, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Set<AssistantModelVersion>().Where(v => v.IsActive && v.Id != version).ExecuteUpdateAsync(s => s.SetProperty(v => v.IsActive, false), ct);
            await db.Set<AssistantModelVersion>().Where(v => v.Id == version)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.IsActive, true).SetProperty(v => v.ActivatedAt, now), ct);
            await tx.CommitAsync(ct);
        });
    }

    private async Task<LoadedModel> LoadAsync(AppDbContext db, AssistantModelVersion version, CancellationToken ct)
    {
        var file = FileOf(version.Id);
        if (File.Exists(file))
        {
            try
            {
                return new LoadedModel(version.Id, IntentModel.Load(file));
            }
            catch (ModelFormatException ex)
            {
                logger.LogWarning("Model file for {Version} is unreadable ({Message}); rebuilding it", version.Id, ex.Message);
            }
        }

        // Training is deterministic for the same rows and seed: rebuild the artifact this process lacks.
        var (rows, _) = await DatasetAsync(db, version.MaxExampleId, ct);
        if (!string.Equals(Hash(rows), version.DataHash, StringComparison.Ordinal))
        {
            logger.LogWarning("Training data for {Version} changed since it was trained (shipped examples updated); the rebuilt model may differ", version.Id);
        }

        return new LoadedModel(version.Id, await TrainAsync(rows, version.Id, ct));
    }

    private async Task<IntentModel> TrainAsync(IReadOnlyList<LabeledExample> rows, string version, CancellationToken ct)
    {
        var model = await Task.Run(() => IntentTrainer.Train(rows, TrainerOptions(version)), ct);
        Directory.CreateDirectory(Folder);
        model.Save(FileOf(version));
        return model;
    }

    private IntentTrainerOptions TrainerOptions(string? version) => new()
    {
        TimeProvider = time,
        Seed = Seed,
        ModelVersion = version,
        // Chat keeps the other core: training is background work on a 2-core machine.
        MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / 2),
    };

    private static async Task<(IReadOnlyList<LabeledExample> Rows, long MaxId)> DatasetAsync(AppDbContext db, long? maxExampleId, CancellationToken ct)
    {
        var (rows, maxId, _) = await ExamplesAsync(db, maxExampleId, ct);
        return (rows, maxId);
    }

    private static async Task<(IReadOnlyList<LabeledExample> Rows, long MaxId, Dictionary<LabeledExample, long> Added)> ExamplesAsync(AppDbContext db, long? maxExampleId, CancellationToken ct)
    {
        var shipped = WalletIntentModel.LoadTrainingData();
        var query = db.Set<AssistantExample>().AsNoTracking();
        if (maxExampleId is { } max)
        {
            query = query.Where(e => e.Id <= max);
        }

        var all = await query.OrderBy(e => e.Id).Select(e => new { e.Id, e.Text, e.Label, e.ConversationId, e.Seq }).ToListAsync(ct);

        // An agent who corrects the same message twice meant the later label; the earlier row stays (append-only) but is not trained on.
        var superseded = all.Where(e => e.ConversationId is not null && e.Seq is not null)
            .GroupBy(e => (e.ConversationId, e.Seq)).SelectMany(g => g.OrderByDescending(e => e.Id).Skip(1)).Select(e => e.Id).ToHashSet();
        var examples = all.Where(e => !superseded.Contains(e.Id)).ToList();
        var added = new Dictionary<LabeledExample, long>(ReferenceEqualityComparer.Instance);
        var rows = new List<LabeledExample>(shipped.Count + examples.Count);
        rows.AddRange(shipped);
        foreach (var e in examples)
        {
            var row = new LabeledExample(e.Text, e.Label);
            added[row] = e.Id;
            rows.Add(row);
        }

        return (rows, all.Count == 0 ? 0 : all[^1].Id, added);
    }

    private static string Hash(IReadOnlyList<LabeledExample> rows)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in rows)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(r.Label + "\u001f" + r.Text + "\u001e"));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

/// <summary>Loads (or trains) the active model after start without holding start-up, then follows activations made elsewhere.</summary>
internal sealed class AssistantModelLoader(AssistantModels models, IOptions<AssistantOptions> options, TimeProvider time, ILogger<AssistantModelLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ModelRefreshSeconds), time);
        do
        {
            try
            {
                await models.EnsureCurrentAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not load the assistant model; will try again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
