using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Knowledge.Rendering;

namespace WalletDesk.Server.Features.Knowledge.Search;

/// <summary>The analysed fields of one translation as they go into the index.</summary>
internal sealed record IndexDocument(
    long TranslationId, string Lang, string Visibility, string Title, string Tags, string Body, string Unigrams, string Plain,
    long ArticleId, string Slug, string Category, string DisplayTitle)
{
    public static IndexDocument From(KbTranslation translation, KbArticle article)
    {
        var plain = MarkdownRenderer.ToPlainText(translation.Body);
        var title = TextAnalyzer.IndexTerms(translation.Title);
        var tags = TextAnalyzer.IndexTerms(translation.Tags.Replace(',', ' '));
        var body = TextAnalyzer.IndexTerms(plain);
        var unigrams = string.Join(' ', new[] { title.Unigrams, tags.Unigrams, body.Unigrams }.Where(u => u.Length > 0));
        return new IndexDocument(translation.Id, translation.Lang, article.Visibility, title.Terms, tags.Terms, body.Terms, unigrams, plain,
            article.Id, article.Slug, article.Category, translation.Title);
    }
}

/// <summary>
/// Keeps the search index in step with published translations: an FTS5 table on SQLite, a table with a
/// generated weighted tsvector and a GIN index on PostgreSQL. Only published translations are indexed.
/// Call inside the transaction that changes the translation so the two never disagree.
/// </summary>
public sealed class KnowledgeIndex(KnowledgeVocabulary vocabulary)
{
    public async Task SyncAsync(AppDbContext db, KbTranslation translation, KbArticle article, CancellationToken cancellationToken)
    {
        await RemoveAsync(db, translation.Id, cancellationToken);
        if (translation.Status == ArticleStatus.Published)
        {
            await WriteAsync(db, IndexDocument.From(translation, article), cancellationToken);
        }

        vocabulary.Invalidate();
    }

    public async Task RemoveAsync(AppDbContext db, long translationId, CancellationToken cancellationToken)
    {
        if (db.IsSqlite)
        {
            await db.Database.ExecuteSqlAsync($"DELETE FROM kb_search_fts WHERE rowid = {translationId}", cancellationToken);
        }
        else
        {
            await db.Database.ExecuteSqlAsync($"DELETE FROM kb_search_index WHERE \"TranslationId\" = {translationId}", cancellationToken);
        }

        vocabulary.Invalidate();
    }

    internal static async Task WriteAsync(AppDbContext db, IndexDocument d, CancellationToken cancellationToken)
    {
        if (db.IsSqlite)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO kb_search_fts (rowid, title, tags, body, uni, lang, vis, article, slug, category, display, plain)
                VALUES ({d.TranslationId}, {d.Title}, {d.Tags}, {d.Body}, {d.Unigrams}, {d.Lang}, {d.Visibility}, {d.ArticleId}, {d.Slug}, {d.Category}, {d.DisplayTitle}, {d.Plain})
                """, cancellationToken);
        }
        else
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO kb_search_index ("TranslationId", lang, vis, article, slug, category, display, title, tags, body, uni, plain)
                VALUES ({d.TranslationId}, {d.Lang}, {d.Visibility}, {d.ArticleId}, {d.Slug}, {d.Category}, {d.DisplayTitle}, {d.Title}, {d.Tags}, {d.Body}, {d.Unigrams}, {d.Plain})
                """, cancellationToken);
        }
    }

    /// <summary>Writes many documents with one prepared statement (rebuilds, benchmarks); the caller owns the transaction.</summary>
    internal static async Task BulkWriteAsync(AppDbContext db, IEnumerable<IndexDocument> documents, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var p = db.IsSqlite ? "$" : "@";
            command.CommandText = db.IsSqlite
                ? "INSERT INTO kb_search_fts (rowid, title, tags, body, uni, lang, vis, article, slug, category, display, plain) VALUES ($id, $title, $tags, $body, $uni, $lang, $vis, $article, $slug, $category, $display, $plain)"
                : "INSERT INTO kb_search_index (\"TranslationId\", lang, vis, article, slug, category, display, title, tags, body, uni, plain) VALUES (@id, @lang, @vis, @article, @slug, @category, @display, @title, @tags, @body, @uni, @plain)";
            var names = new[] { "id", "title", "tags", "body", "uni", "lang", "vis", "plain", "article", "slug", "category", "display" };
            var parameters = names.Select(n =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = p + n;
                command.Parameters.Add(parameter);
                return parameter;
            }).ToArray();
            foreach (var d in documents)
            {
                parameters[0].Value = d.TranslationId;
                parameters[1].Value = d.Title;
                parameters[2].Value = d.Tags;
                parameters[3].Value = d.Body;
                parameters[4].Value = d.Unigrams;
                parameters[5].Value = d.Lang;
                parameters[6].Value = d.Visibility;
                parameters[7].Value = d.Plain;
                parameters[8].Value = d.ArticleId;
                parameters[9].Value = d.Slug;
                parameters[10].Value = d.Category;
                parameters[11].Value = d.DisplayTitle;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Rebuilds the whole index from the published translations (after an import, or to repair).</summary>
    public async Task<int> RebuildAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? "DELETE FROM kb_search_fts" : "DELETE FROM kb_search_index", cancellationToken);
        var published = await db.KbTranslations.AsNoTracking().Include(t => t.Article)
            .Where(t => t.Status == ArticleStatus.Published).ToListAsync(cancellationToken);
        await BulkWriteAsync(db, published.Select(t => IndexDocument.From(t, t.Article!)), cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        vocabulary.Invalidate();
        return published.Count;
    }
}
