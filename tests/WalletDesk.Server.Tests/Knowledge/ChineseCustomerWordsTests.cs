using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>Chinese customers' own words find the article that uses the editor's word; feature names outweigh filler.</summary>
public sealed class ChineseCustomerWordsTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HashSet<WalletDeskFactory> Seeded = [];

    private async Task<WalletDeskFactory> AppAsync(string provider)
    {
        var app = await fixture.For(provider);
        await Gate.WaitAsync();
        try
        {
            if (Seeded.Add(app))
            {
                await KbTestData.PublishedAsync(app, "kbz-qr", KbLanguages.Chinese, "如何停用收款码", "在钱包首页打开收款码页面，点右上角的设置，选择停用。停用后别人扫码无法付钱给你。", "payments");
                await KbTestData.PublishedAsync(app, "kbz-card", KbLanguages.Chinese, "删除已绑定的银行卡", "进入银行卡管理，选中要删除的卡，确认即可。", "payments");
                await KbTestData.PublishedAsync(app, "kbz-name", KbLanguages.Chinese, "修改账户昵称", "在个人资料里可以修改账户昵称，每月一次。", "getting-started");
                await KbTestData.PublishedAsync(app, "kbz-receive", KbLanguages.Chinese, "收款多久到余额", "别人向你收款码付款后，收款通常实时到余额。", "payments");
                // Filler: the words around a customer's question, and no feature name.
                await KbTestData.PublishedAsync(app, "kbz-filler", KbLanguages.Chinese, "其他问题", "我想知道一下这个是怎么了呢？掉了呢？不想用了呢？改一下呢？", "getting-started");
            }
        }
        finally
        {
            Gate.Release();
        }

        return app;
    }

    private static async Task<string> FirstAsync(WalletDeskFactory app, string query)
    {
        await using var scope = app.Scope();
        var results = await scope.ServiceProvider.GetRequiredService<KnowledgeSearch>().SearchAsync(new SearchRequest(query, KbLanguages.Chinese, false));
        results.Hits.ShouldNotBeEmpty(query);
        return results.Hits[0].Slug;
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CustomerWords_FindTheArticleWithTheEditorsWord(string provider)
    {
        var app = await AppAsync(provider);

        (await FirstAsync(app, "二维码怎么关掉")).ShouldBe("kbz-qr");           // 二维码/收款码, 关掉/停用
        (await FirstAsync(app, "清除银行卡")).ShouldBe("kbz-card");             // 清除/删除
        (await FirstAsync(app, "账号昵称改一下")).ShouldBe("kbz-name");          // 账号/账户
        (await FirstAsync(app, "别人给我收钱多久到")).ShouldBe("kbz-receive");   // 收钱/收款
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task FeatureNames_OutweighFiller_InALongQuestion(string provider)
    {
        var app = await AppAsync(provider);

        (await FirstAsync(app, "我想知道一下收款码不想用了怎么停用呢")).ShouldBe("kbz-qr");
        (await FirstAsync(app, "银行卡不想用了删掉呢")).ShouldBe("kbz-card");
    }
}
