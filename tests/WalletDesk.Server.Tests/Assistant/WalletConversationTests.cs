using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Assistant;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Tests.Infrastructure;
using WalletDesk.Server.Tests.Wallet;

namespace WalletDesk.Server.Tests.Assistant;

/// <summary>Scripted conversations, in English and Chinese, answered from the customer's own wallet.</summary>
public sealed class WalletConversationTests(AssistantFixture fixture) : IClassFixture<AssistantFixture>
{
    [Theory]
    [InlineData("en", "my transfer hasn't arrived", "being checked by our security team", "Expected by")]
    [InlineData("zh", "我的转账还没到账", "安全审核", "预计")]
    public async Task TransferNotArrived_OnePendingTransfer_ExplainsStatusReasonAndExpectedTime(string lang, string text, string reason, string timing)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync(locale: lang);
        var friend = await app.CreateCustomerWithWalletAsync();
        var tx = await app.PendingTransferAsync(me, friend, 600_000);

        var chat = app.Chat(me, lang);
        var outcome = await chat.SayAsync(text);

        outcome.Handoff.ShouldBeNull(chat.LastText);
        chat.LastText.ShouldContain(tx.Reference);
        chat.LastText.ShouldContain("6000.00 CNY");
        chat.LastText.ShouldContain(reason);
        chat.LastText.ShouldContain(timing);
        outcome.Replies[^1].QuickReplies.ShouldNotBeNull();
        var turn = (await app.TurnsAsync(chat)).Single();
        turn.Intent.ShouldBe("transfer_not_arrived");
        turn.Action.ShouldContain($"1 pending or failed: {tx.Reference} pending");

        var confirmed = await chat.SayAsync(lang == "zh" ? "解决了" : "Yes, thanks");
        confirmed.Resolved.ShouldBeTrue();
        (await app.ConversationAsync(chat)).Resolved.ShouldBeTrue();
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AReferenceAlone_IsLookedUpAndExplained_InTheWidgetsLanguage(string provider)
    {
        var app = await fixture.For(provider);
        var me = await app.CreateCustomerWithWalletAsync(balance: 3_000_000);
        var friend = await app.CreateCustomerWithWalletAsync();
        var transfer = await app.PendingTransferAsync(me, friend, 700_000);

        // Nothing but the reference, pasted into the Chinese widget: a transaction question, answered in Chinese
        // (a reference is not English, even when all its characters happen to be letters).
        var zh = app.Chat(me, "zh");
        var outcome = await zh.SayAsync(" " + transfer.Reference.ToLowerInvariant() + " ");
        outcome.Handoff.ShouldBeNull(zh.LastText);
        zh.LastText.ShouldContain("7000.00 CNY");
        zh.LastText.ShouldContain("安全审核");
        (await app.TurnsAsync(zh)).ShouldHaveSingleItem().Action.ShouldContain($"reference {transfer.Reference}: pending");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TransferNotArrived_SeveralCandidates_AsksWhichOne_ThenExplainsTheChosenOne(string provider)
    {
        var app = await fixture.For(provider);
        var me = await app.CreateCustomerWithWalletAsync(balance: 3_000_000);
        var friend = await app.CreateCustomerWithWalletAsync();
        var first = await app.PendingTransferAsync(me, friend, 600_000);
        app.Clock.Advance(TimeSpan.FromMinutes(1)); // a strict order: the wallet lists newest first
        var second = await app.PendingTransferAsync(me, friend, 700_000);

        var chat = app.Chat(me);
        var outcome = await chat.SayAsync("I sent money to my friend but it never arrived");
        outcome.Handoff.ShouldBeNull(chat.LastText);
        chat.LastText.ShouldContain("Which one do you mean?");
        chat.LastText.ShouldContain(first.Reference);
        chat.LastText.ShouldContain(second.Reference);
        outcome.Replies[^1].QuickReplies!.ShouldBe([second.Reference, first.Reference], ignoreOrder: true);

        // Newest first: the second transfer is listed first, so "the second one" is the first transfer.
        await chat.SayAsync("the second one");
        chat.LastText.ShouldContain(first.Reference);
        chat.LastText.ShouldContain("6000.00 CNY");
        chat.LastText.ShouldNotContain(second.Reference);

        // In Chinese, choosing by reference.
        var zh = app.Chat(me, "zh");
        await zh.SayAsync("我的转账还没到账");
        zh.LastText.ShouldContain("请问您指的是哪一笔");
        await zh.SayAsync(second.Reference.ToLowerInvariant());
        zh.LastText.ShouldContain("7000.00 CNY");
        zh.LastText.ShouldContain("安全审核");
    }

    [Theory]
    [InlineData("en", "my transfer of 7000 yuan hasn't arrived")]
    [InlineData("zh", "我转的7000元还没到账")]
    public async Task TransferNotArrived_AmountGiven_FindsThatTransferDirectly(string lang, string text)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync(balance: 3_000_000);
        var friend = await app.CreateCustomerWithWalletAsync();
        await app.PendingTransferAsync(me, friend, 600_000);
        var meant = await app.PendingTransferAsync(me, friend, 700_000);

        var chat = app.Chat(me, lang);
        await chat.SayAsync(text);
        chat.LastText.ShouldContain(meant.Reference);
        chat.Last.Replies.ShouldNotContain(r => r.QuickReplies != null && r.QuickReplies.Contains(meant.Reference), "no 'which one?' question");
        (await app.TurnsAsync(chat)).Single().Action.ShouldContain("matching the amount/date given");
    }

    [Theory]
    [InlineData("en", "my top-up failed", "Your bank declined the top-up", "Try another card")]
    [InlineData("zh", "充值失败了", "您的银行拒绝了本次充值", "请尝试其他银行卡")]
    public async Task TopUpFailed_GivesTheReasonAndWhatToDo(string lang, string text, string reason, string next)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var failed = await app.DeclinedTopUpAsync(me, 50_000);

        var chat = app.Chat(me, lang);
        var outcome = await chat.SayAsync(text);
        outcome.Handoff.ShouldBeNull(chat.LastText);
        chat.LastText.ShouldContain(failed.Reference);
        chat.LastText.ShouldContain(reason);
        chat.LastText.ShouldContain(next);
        (await app.TurnsAsync(chat)).Single().Intent.ShouldBe("topup_failed");
    }

    [Theory]
    [InlineData("en", "where is my refund?", "The refund of 20.00 CNY is complete")]
    [InlineData("zh", "我的退款到哪了", "金额为 20.00 CNY 的退款已完成")]
    public async Task RefundStatus_ExplainsTheRefundOnTheCustomersWallet(string lang, string text, string expected)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var payment = await app.Ledger().PayAsync(me.Account.Id, "Corner Cafe", 5_000, "CNY", WalletTestSupport.NewKey());
        var refund = await app.Ledger().RefundAsync(payment.Transaction.Id, 2_000, WalletTestSupport.NewKey());

        var chat = app.Chat(me, lang);
        await chat.SayAsync(text);
        chat.LastText.ShouldContain(refund.Transaction.Reference);
        chat.LastText.ShouldContain(expected);
    }

    [Fact]
    public async Task LockedAccount_StartsStepUpInTheApp_UnlocksOnlyAfterItPassed()
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        await app.LockAsync(me);
        var gateway = app.Services.GetRequiredService<IWalletGateway>();

        var chat = app.Chat(me);
        var outcome = await chat.SayAsync("my account is locked");
        outcome.Handoff.ShouldBeNull(chat.LastText);
        chat.LastText.ShouldContain("confirmation request to the WalletDesk app");
        chat.LastText.ShouldContain("never type the code here");
        (await app.AuditAsync("assistant.wallet.step-up.requested")).ShouldContain(e => e.ObjectId == me.Customer.Id.ToString());

        // Saying "done" is not enough: the wallet has no passed step-up yet.
        await chat.SayAsync("done");
        chat.LastText.ShouldContain("can't see the confirmation yet");
        (await gateway.FindAccountAsync(me.Customer.ExternalId))!.Status.ShouldBe(AccountStatuses.Locked);

        await app.PassStepUpInAppAsync(me, await app.LatestStepUpAsync(me));
        outcome = await chat.SayAsync("done");
        outcome.Handoff.ShouldBeNull(chat.LastText);
        chat.LastText.ShouldContain("your wallet is unlocked");
        chat.LastText.ShouldContain("held for the next 24 hours");
        var account = (await gateway.FindAccountAsync(me.Customer.ExternalId))!;
        account.Status.ShouldBe(AccountStatuses.Active);
        account.OutboundHoldUntil.ShouldNotBeNull();
        var unlock = (await app.AuditAsync("assistant.wallet.unlock")).ShouldHaveSingleItem();
        unlock.Outcome.ShouldBe(AuditOutcomes.Success);
        unlock.Details!.ShouldContain($"wd-bot-{chat.Id}-unlock-");
    }

    [Fact]
    public async Task LockedAccount_InChinese_StepUpNeverPassed_HandsOffToAccounts()
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync(locale: "zh");
        await app.LockAsync(me);

        var chat = app.Chat(me, "zh");
        await chat.SayAsync("我的账户被锁了");
        chat.LastText.ShouldContain("请在应用内确认是您本人");
        await chat.SayAsync("好了");
        chat.Last.Handoff.ShouldBeNull();
        chat.LastText.ShouldContain("我还没有看到确认");
        var outcome = await chat.SayAsync("好了");
        var handoff = outcome.Handoff.ShouldNotBeNull();
        handoff.Reason.ShouldBe(HandoffReasons.FlowFailed);
        handoff.Group.ShouldBe(TicketGroups.Accounts);
        handoff.Intent.ShouldBe("account_locked");
        handoff.Summary.ShouldContain("started in-app step-up");
        (await app.Services.GetRequiredService<IWalletGateway>().FindAccountAsync(me.Customer.ExternalId))!.Status.ShouldBe(AccountStatuses.Locked);
    }

    [Theory]
    [InlineData("en", "I forgot my password", "Forgot password", "forgot-password")]
    [InlineData("zh", "我忘记密码了", "忘记密码", "forgot-password")]
    [InlineData("en", "I lost my phone with the authenticator", "Lost my device", "lost-phone-recovery")]
    [InlineData("zh", "我收不到验证码", "重新发送", "verification-code-not-received")]
    public async Task LostAccess_GivesRecoverySteps_AndNeverAsksForAPasswordOrCode(string lang, string text, string step, string article)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me, lang);
        var outcome = await chat.SayAsync(text);
        outcome.Handoff.ShouldBeNull(chat.LastText);
        chat.LastText.ShouldContain(step);
        chat.LastText.ShouldContain(lang == "zh" ? "绝不会" : "never ask for your password or a one-time code");
        outcome.Replies.ShouldContain(r => r.ArticleSlug == article);
    }

    [Fact]
    public async Task CustomerSharesAPasswordAndCode_TheyAreNotStoredOrEchoed_AndTheCustomerIsWarned()
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me);
        // Sent raw here (as if intake missed it): the assistant redacts again before it stores or answers anything.
        await using (var scope = app.Scope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<WalletDesk.Server.Features.Chat.IChatAssistant>()
                .RespondAsync(new WalletDesk.Server.Features.Chat.AssistantInput(chat.Id, me.Customer.Id, false, "en", "I can't log in, my password is Tr0ub4dor&3 and the code was 482913", 1), CancellationToken.None);
            var all = string.Join("\n", outcome.Replies.Select(r => r.Text));
            all.ShouldNotContain("Tr0ub4dor&3");
            all.ShouldNotContain("482913");
            all.ShouldContain("never share those");
        }

        var turn = (await app.TurnsAsync(chat)).Single();
        turn.Text.ShouldNotContain("Tr0ub4dor&3");
        turn.Text.ShouldNotContain("482913");
        (await app.ConversationAsync(chat)).State.ShouldNotContain("Tr0ub4dor&3");
    }

    [Theory, MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SuspectedFraud_OffersFreeze_YesFreezesOnceAndAudits_ThenUrgentSecurityHandoff(string provider)
    {
        var app = await fixture.For(provider);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me);

        var offer = await chat.SayAsync("someone took money from my account, I didn't do this");
        offer.Handoff.ShouldBeNull();
        chat.LastText.ShouldContain("pause all outgoing payments");
        offer.Replies[^1].QuickReplies!.ShouldContain("Yes, pause now");
        (await app.WalletActionsAsync(me.Account.Id)).ShouldBe(0, "nothing happens before the customer says yes");

        var outcome = await chat.SayAsync("Yes, pause now");
        chat.LastText.ShouldContain("outgoing payments from your wallet are paused");
        var handoff = outcome.Handoff.ShouldNotBeNull();
        handoff.Reason.ShouldBe(HandoffReasons.Security);
        handoff.Group.ShouldBe(TicketGroups.Security);
        handoff.Priority.ShouldBe(TicketPriorities.Urgent);
        handoff.Category.ShouldBe("security");
        handoff.Intent.ShouldBe("suspicious_activity");
        handoff.Summary.ShouldContain("froze outgoing payments");
        handoff.Summary.ShouldContain("someone took money from my account");
        chat.LastText.ShouldContain("our security team");
        (await app.Services.GetRequiredService<IWalletGateway>().FindAccountAsync(me.Customer.ExternalId))!.Status.ShouldBe(AccountStatuses.Frozen);
        var audit = (await app.AuditAsync("assistant.wallet.freeze_outgoing")).Where(e => e.ObjectId == me.Customer.Id.ToString()).ShouldHaveSingleItem();
        audit.Outcome.ShouldBe(AuditOutcomes.Success);

        // The same message delivered again: the same answer, no second action.
        var again = await chat.RepeatLastDeliveryAsync("Yes, pause now");
        again.Handoff!.Reason.ShouldBe(HandoffReasons.Security);
        (await app.WalletActionsAsync(me.Account.Id)).ShouldBe(1);
        (await app.WithDbAsync(db => db.WalletRefActions.CountAsync(a => a.IdempotencyKey == $"wd-bot-{chat.Id}-freeze"))).ShouldBe(1);
    }

    [Fact]
    public async Task Phishing_InChinese_DeclinedFreeze_StillGoesToSecurityUrgently()
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync(locale: "zh");
        var chat = app.Chat(me, "zh");
        await chat.SayAsync("我收到一条钓鱼短信，让我点链接");
        chat.LastText.ShouldContain("请不要点击该消息中的链接");
        chat.LastText.ShouldContain("需要我现在就暂停吗");
        var outcome = await chat.SayAsync("不用");
        outcome.Handoff!.Reason.ShouldBe(HandoffReasons.Security);
        outcome.Handoff.Priority.ShouldBe(TicketPriorities.Urgent);
        outcome.Handoff.Intent.ShouldBe("phishing_report");
        chat.LastText.ShouldContain("安全团队");
        (await app.WalletActionsAsync(me.Account.Id)).ShouldBe(0);
    }

    [Theory]
    [InlineData("en", "how much are the fees?", "fees")]
    [InlineData("zh", "手续费是多少", "fees")]
    public async Task GeneralQuestion_AnswersFromTheHelpCenter_YesMeansResolved(string lang, string text, string slug)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me, lang);
        var outcome = await chat.SayAsync(text);
        outcome.Replies.ShouldContain(r => r.ArticleSlug == slug);
        chat.LastText.ShouldContain("/help/articles/" + slug);
        chat.LastText.ShouldContain(lang == "zh" ? "这解决您的问题了吗" : "Did that solve it?");
        var done = await chat.SayAsync(lang == "zh" ? "解决了" : "yes");
        done.Resolved.ShouldBeTrue();
        done.Handoff.ShouldBeNull();
    }

    [Fact]
    public async Task GeneralQuestion_NotSolved_HandsOffAsFailedFlow()
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me, "zh");
        await chat.SayAsync("手续费是多少");
        var outcome = await chat.SayAsync("没解决，需要帮助");
        outcome.Handoff!.Reason.ShouldBe(HandoffReasons.FlowFailed);
        outcome.Handoff.Intent.ShouldBe("fees_and_limits");
        outcome.Handoff.Summary.ShouldContain("answered with article fees");
        outcome.Handoff.Summary.ShouldContain("customer said the answer did not solve it");
    }

    [Theory]
    [InlineData("en", "hello", "I'm the WalletDesk assistant", "thanks", "You're welcome")]
    [InlineData("zh", "你好", "我是 WalletDesk 智能助手", "谢谢", "不客气")]
    public async Task GreetingAndThanks_AreAnsweredPolitely(string lang, string hello, string greeting, string thanks, string welcome)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me, lang);
        var outcome = await chat.SayAsync(hello);
        chat.LastText.ShouldContain(greeting);
        outcome.Replies[^1].QuickReplies!.Count.ShouldBeGreaterThan(2);
        await chat.SayAsync(thanks);
        chat.LastText.ShouldContain(welcome);
        chat.Last.Handoff.ShouldBeNull();
    }

    [Theory]
    [InlineData("en", "this is terrible service")]
    [InlineData("zh", "你们的服务太差了，我要投诉")]
    public async Task Complaint_ApologisesAndHandsOffAsFrustrated(string lang, string text)
    {
        var app = await fixture.For(Providers.Sqlite);
        var me = await app.CreateCustomerWithWalletAsync();
        var chat = app.Chat(me, lang);
        var outcome = await chat.SayAsync(text);
        outcome.Handoff!.Reason.ShouldBe(HandoffReasons.Frustrated);
        chat.LastText.ShouldContain(lang == "zh" ? "非常抱歉" : "I'm sorry");
        outcome.Handoff.Summary.ShouldContain("Sentiment: ");
    }
}
