using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WalletDesk.Assistant.Entities;
using WalletDesk.Redaction;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Chat;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.Search;
using WalletDesk.Server.Features.Tickets;
using WalletDesk.Server.Features.Wallet;
using WalletDesk.Server.Features.Wallet.Ledger;

namespace WalletDesk.Server.Features.Assistant;

/// <summary>
/// The first line of a chat. Every message: classify (intent, entities, sentiment), apply the handoff rules, run the
/// flow for the intent against the customer's own wallet, and remember what happened. The wallet account always comes
/// from <see cref="AssistantInput.CustomerId"/>; nothing in the text chooses whose data is read or which action runs,
/// and the only actions the assistant can take are freezing outgoing payments (on the customer's "yes") and an unlock
/// the wallet itself authorises with a fresh in-app step-up.
/// </summary>
public sealed partial class ChatAssistant(
    AppDbContext db,
    AssistantModels models,
    IWalletGateway gateway,
    TransactionExplainer explainer,
    KnowledgeSearch search,
    KnowledgeReader reader,
    AuditService audit,
    TimeProvider time,
    IOptions<AssistantOptions> options,
    IOptions<WalletOptions> walletOptions,
    ILogger<ChatAssistant> logger) : IChatAssistant
{
    private const int MaxListed = 5;
    private AssistantOptions Options => options.Value;

    public async Task<AssistantOutcome> RespondAsync(AssistantInput input, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var now = time.GetUtcNow();
        var conversation = await db.Set<AssistantConversation>().SingleOrDefaultAsync(c => c.ConversationId == input.ConversationId, ct);
        if (conversation is not null && conversation.CustomerId != input.CustomerId)
        {
            // A conversation belongs to one customer; a mismatch is a caller bug and must never mix two customers' state.
            throw new InvalidOperationException("The conversation belongs to another customer.");
        }

        if (conversation is not null && input.Seq <= conversation.LastSeq)
        {
            // The same message again (a retry): the same answer, nothing done twice.
            return input.Seq == conversation.LastSeq && conversation.LastOutcome is { } last
                ? JsonSerializer.Deserialize<AssistantOutcome>(last, DialogueState.Json)!
                : new AssistantOutcome([], null);
        }

        if (conversation is null)
        {
            conversation = new AssistantConversation
            {
                ConversationId = input.ConversationId,
                CustomerId = input.CustomerId,
                IsVisitor = input.IsVisitor,
                Language = Lang(input.Language),
                State = new DialogueState().Serialize(),
                CreatedAt = now,
                LastMessageAt = now,
            };
            db.Set<AssistantConversation>().Add(conversation);
        }

        // Intake redacted the text already; redacting again costs microseconds and guards every sink below.
        var redaction = Redactor.Redact(input.Text ?? "");
        var text = redaction.Text.Trim();
        // A wallet reference's characters say nothing about the intent or the language (no training row holds one, and its
        // random letters would add character n-grams that could tip the classifier): it is looked up by the flows only.
        var wording = WalletReferencePattern().Replace(text, " ");
        // Reply in the language of the message; short or neutral messages ("ok", a reference) keep the widget's language.
        var zh = CustomerSignals.LooksChinese(text) || (Lang(input.Language) == "zh" && !LongEnglish(wording));
        var state = DialogueState.Parse(conversation.State);
        var turn = new Turn(input, text, wording, zh, state);

        if (conversation.HandedOff)
        {
            turn.Say("A colleague will be with you shortly; they can see everything you have written here.", "人工客服马上就来，他们能看到您在这里写的所有内容。");
            turn.Actions.Add("already handed off");
        }
        else
        {
            await UnderstandAsync(turn, ct);
            if (text.Contains(Redactions_Prefix, StringComparison.Ordinal) || redaction.WasRedacted)
            {
                turn.Say(
                    "For your safety I've hidden a password, code or card number from your message. Please never share those with anyone, including us; we will never ask for them.",
                    "为了您的安全，我已隐藏您消息中的密码、验证码或卡号。请不要向任何人（包括我们）透露这些信息，我们绝不会索要。");
                turn.Actions.Add("warned about shared secret");
            }

            await DecideAsync(turn, ct);
        }

        var outcome = new AssistantOutcome(
            turn.Replies.Select(r => r with { Text = Redactor.RedactOutbound(r.Text).Text }).ToList(),
            turn.Handoff,
            turn.Resolved);

        conversation.Turns++;
        conversation.LastSeq = input.Seq;
        conversation.LastMessageAt = now;
        conversation.Language = turn.Lang;
        conversation.State = state.Serialize();
        conversation.LastOutcome = JsonSerializer.Serialize(outcome, DialogueState.Json);
        if (turn.Handoff is { } handoff && !conversation.HandedOff)
        {
            conversation.HandedOff = true;
            conversation.HandoffReason = handoff.Reason;
            conversation.HandoffIntent = handoff.Intent;
            conversation.HandedOffAt = now;
        }

        if (turn.Resolved && !conversation.Resolved)
        {
            conversation.Resolved = true;
            conversation.ResolvedAt = now;
        }

        db.Set<AssistantTurn>().Add(new AssistantTurn
        {
            ConversationId = input.ConversationId,
            Seq = input.Seq,
            At = now,
            Text = Cap(text, 4000),
            Intent = turn.Prediction.Intent,
            TopCandidate = turn.Prediction.TopCandidate,
            Confidence = turn.Prediction.Confidence,
            ModelVersion = turn.ModelVersion,
            Action = Cap(string.Join("; ", turn.Actions), 400),
            HandoffReason = turn.Handoff?.Reason,
        });
        await db.SaveChangesAsync(ct);
        return outcome;
    }

    private const string Redactions_Prefix = "[removed";

    private async Task UnderstandAsync(Turn turn, CancellationToken ct)
    {
        var model = await models.GetAsync(ct);
        turn.ModelVersion = model.Version;
        turn.Prediction = model.Model.Predict(turn.Wording);
        turn.Sentiment = CustomerSignals.Analyze(turn.Text);
        turn.State.Sentiment = turn.Sentiment.Label;
        foreach (var cue in turn.Sentiment.Cues)
        {
            if (!turn.State.SentimentCues.Contains(cue))
            {
                DialogueState.Remember(turn.State.SentimentCues, cue, 10);
            }
        }

        DialogueState.Remember(turn.State.Words, turn.Text, 12);
        if (turn.Prediction.Intent is { } intent)
        {
            turn.State.LastIntent = intent;
            turn.State.LastConfidence = turn.Prediction.Confidence;
            if (intent is not ("talk_to_human" or "greeting" or "thanks" or "complaint"))
            {
                turn.State.Topic = intent;
            }
        }

        turn.Actions.Add(turn.Prediction.Intent is { } i
            ? string.Create(CultureInfo.InvariantCulture, $"intent {i} ({turn.Prediction.Confidence:0.00})")
            : string.Create(CultureInfo.InvariantCulture, $"declined ({turn.Prediction.DeclineReason}, best {turn.Prediction.TopCandidate} {turn.Prediction.Confidence:0.00})"));

        if (!turn.Input.IsVisitor)
        {
            try
            {
                var externalId = await db.Customers.AsNoTracking().Where(c => c.Id == turn.Input.CustomerId).Select(c => c.ExternalId).SingleOrDefaultAsync(ct);
                turn.Account = externalId is null ? null : await gateway.FindAccountAsync(externalId, ct);
            }
            catch (WalletUnavailableException)
            {
                turn.WalletUnavailable = true;
            }
        }

        var zone = LedgerService.Zone(turn.Account?.TimeZone ?? (turn.Zh ? "Asia/Shanghai" : "UTC"));
        turn.Entities = EntityExtractor.Extract(turn.Text, time.GetUtcNow(), zone);
        foreach (var e in turn.Entities)
        {
            var described = Describe(e);
            if (!turn.State.Entities.Contains(described))
            {
                DialogueState.Remember(turn.State.Entities, described, 20);
            }
        }
    }

    private async Task DecideAsync(Turn turn, CancellationToken ct)
    {
        var state = turn.State;
        var intent = turn.Intent;
        var normalized = CustomerSignals.Normalize(turn.Text);
        var repeated = normalized.Length >= 12 && state.Recent.Contains(normalized);
        DialogueState.Remember(state.Recent, normalized, 3);

        // 1. Asked for a person: always honoured first.
        if (CustomerSignals.AsksForHuman(turn.Text) || intent == "talk_to_human")
        {
            turn.Say("Of course, I'll connect you with a colleague.", "好的，我为您转接人工客服。");
            HandOff(turn, HandoffReasons.Asked, GroupFor(state.Topic), PriorityFor(state.Topic));
            return;
        }

        // 2. An answer to the assistant's own question.
        if (state.Stage is not null && await ContinueStageAsync(turn, ct))
        {
            return;
        }

        // 3. Security comes before everything else the customer might feel or say.
        if (intent is "suspicious_activity" or "phishing_report")
        {
            await FraudAsync(turn, ct);
            return;
        }

        // 4. Frustration: shouting, the same message again, strong or repeated negative words, a complaint.
        var sentiment = turn.Sentiment;
        if (sentiment.Score < 0)
        {
            state.Negative++;
        }

        if (sentiment.Caps || repeated || sentiment.Score <= -2 || state.Negative >= 2 || intent == "complaint")
        {
            turn.Did(sentiment.Caps ? "frustration: caps" : repeated ? "frustration: repeated message" : intent == "complaint" ? "complaint" : "frustration: negative sentiment");
            turn.Say(
                "I'm sorry this has been so frustrating. I'm bringing in a colleague who can look at it with you personally.",
                "非常抱歉给您带来这样的困扰。我马上为您转接人工客服，由同事亲自为您处理。");
            HandOff(turn, HandoffReasons.Frustrated, GroupFor(state.Topic), TicketPriorities.High);
            return;
        }

        // 5. Amounts above the threshold in the customer's own words.
        if (turn.Entities.OfType<MoneyEntity>().FirstOrDefault(m => Options.HandoffAmount(m.Currency) is { } limit && m.MinorUnits >= limit) is { } big
            && intent is not ("greeting" or "thanks" or "fees_and_limits"))
        {
            turn.Did($"amount {Money.Format(big.MinorUnits, big.Currency)} at or above the handoff threshold");
            turn.Say(
                $"Because this involves {Money.Format(big.MinorUnits, big.Currency)}, I'm passing you to a colleague who can look into it properly.",
                $"由于涉及金额 {Money.Format(big.MinorUnits, big.Currency)}，我将为您转接人工客服进一步核实处理。");
            HandOff(turn, HandoffReasons.Amount, GroupFor(intent), TicketPriorities.High);
            return;
        }

        // 6. A reference and nothing else understood: the customer wants that transaction's status.
        if (intent is null && WalletReferencePattern().IsMatch(turn.Text))
        {
            turn.Did("reference without a question: transaction status");
            await RunIntentAsync(turn, "transaction_status", ct);
            return;
        }

        // 7. Not understood.
        if (intent is null)
        {
            state.LowConfidence++;
            if (state.LowConfidence >= Options.LowConfidenceHandoffs)
            {
                turn.Say("I'm not sure I understand, so I'll bring in a colleague who can help.", "抱歉我没能理解您的问题，我将为您转接人工客服。");
                HandOff(turn, HandoffReasons.LowConfidence, TicketGroups.General, TicketPriorities.Normal);
                return;
            }

            if (!await AnswerFromKnowledgeAsync(turn, null, ct))
            {
                turn.Say(
                    "Sorry, I didn't quite get that. Could you tell me a bit more? I can check a transfer, a top-up or a refund, help with a locked account, or find an answer in our help center.",
                    "抱歉，我没太明白。能再具体描述一下吗？我可以帮您查询转账、充值或退款，处理账户锁定，或在帮助中心为您查找答案。",
                    quick: QuickTopics(turn));
            }

            return;
        }

        await RunIntentAsync(turn, intent, ct);
    }

    private async Task RunIntentAsync(Turn turn, string intent, CancellationToken ct)
    {
        switch (intent)
        {
            case "greeting":
                turn.Say(
                    "Hello! I'm the WalletDesk assistant. I can check a transfer, a top-up or a refund on your wallet, help with a locked account, or find an answer in our help center. What can I do for you?",
                    "您好！我是 WalletDesk 智能助手。我可以帮您查询钱包里的转账、充值或退款，处理账户锁定，或在帮助中心查找答案。请问有什么可以帮您？",
                    quick: QuickTopics(turn));
                return;
            case "thanks":
                var confirming = turn.State.Stage == Stages.ConfirmSolved || turn.State.Tried.Count > 0;
                turn.Resolved = confirming;
                turn.State.Stage = null;
                turn.Say("You're welcome! If anything else comes up, just write here.", "不客气！如有其他问题，随时在这里留言。");
                turn.Did(confirming ? "customer thanked: resolved" : "customer thanked");
                return;
            case "transfer_not_arrived":
                await TransactionsAsync(turn, TxKind.Transfer, ct);
                return;
            case "transaction_status":
                await TransactionsAsync(turn, TxKind.Any, ct);
                return;
            case "topup_failed":
                await TransactionsAsync(turn, TxKind.TopUp, ct);
                return;
            case "payment_failed":
                await TransactionsAsync(turn, TxKind.Payment, ct);
                return;
            case "refund_status":
                await TransactionsAsync(turn, TxKind.Refund, ct);
                return;
            case "account_locked":
                await LockedAsync(turn, ct);
                return;
            case "forgot_password" or "lost_2fa" or "verification_code_not_received":
                await RecoveryAsync(turn, intent, ct);
                return;
        }

        var custom = await db.Set<AssistantIntent>().AsNoTracking().SingleOrDefaultAsync(i => i.Key == intent, ct);
        if (!await AnswerFromKnowledgeAsync(turn, custom?.ArticleSlug ?? ArticleFor(intent), ct))
        {
            turn.Say("I don't have an answer for that yet, so I'll pass you to a colleague.", "这个问题我暂时无法解答，我将为您转接人工客服。");
            HandOff(turn, HandoffReasons.FlowFailed, custom?.Group ?? GroupFor(intent), PriorityFor(intent));
        }
    }

    // ------------------------------------------------------------------ stages

    private async Task<bool> ContinueStageAsync(Turn turn, CancellationToken ct)
    {
        var state = turn.State;
        var answer = CustomerSignals.YesOrNo(turn.Text);
        switch (state.Stage)
        {
            case Stages.ConfirmFreeze:
                state.Stage = null;
                if (answer == true)
                {
                    await FreezeAsync(turn, ct);
                }
                else
                {
                    turn.Did(answer == false ? "customer declined the freeze" : "no answer to the freeze offer");
                    turn.Say(
                        answer == false ? "Understood, I haven't paused anything." : "I'll leave your payments as they are for now.",
                        answer == false ? "好的，我没有暂停任何功能。" : "我暂时不会更改您的付款设置。");
                }

                turn.Say(
                    "A specialist from our security team will take over now and go through the activity with you.",
                    "安全团队的专员将接手，与您一起核查账户活动。");
                HandOff(turn, HandoffReasons.Security, TicketGroups.Security, TicketPriorities.Urgent);
                return true;

            case Stages.ConfirmSolved:
                if (answer == true || turn.Intent == "thanks")
                {
                    state.Stage = null;
                    turn.Resolved = true;
                    turn.Did("customer confirmed it was solved");
                    turn.Say("Great, glad that helped! If anything else comes up, just write here.", "太好了，很高兴能帮到您！如有其他问题，随时在这里留言。");
                    return true;
                }

                if (answer == false)
                {
                    state.Stage = null;
                    turn.Did("customer said the answer did not solve it");
                    turn.Say("Sorry that didn't solve it. I'll pass you to a colleague who can look further.", "抱歉没能解决您的问题，我将为您转接人工客服进一步处理。");
                    HandOff(turn, HandoffReasons.FlowFailed, GroupFor(state.StageIntent ?? state.LastIntent), PriorityFor(state.StageIntent ?? state.LastIntent));
                    return true;
                }

                state.Stage = null;
                return false;

            case Stages.ChooseTransaction:
                if (await ChosenTransactionAsync(turn, ct) is { } chosen)
                {
                    state.Stage = null;
                    state.Candidates = [];
                    Explain(turn, chosen);
                    return true;
                }

                state.Stage = null;
                state.Candidates = [];
                return false;

            case Stages.AwaitStepUp:
                if (CustomerSignals.SaysDone(turn.Text) || answer == true || turn.Intent == "account_locked")
                {
                    state.Stage = null;
                    await LockedAsync(turn, ct, afterStepUp: true);
                    return true;
                }

                state.Stage = null;
                return false;
        }

        state.Stage = null;
        return false;
    }

    private async Task<WalletTransaction?> ChosenTransactionAsync(Turn turn, CancellationToken ct)
    {
        if (turn.Account is not { } account || turn.State.Candidates.Count == 0)
        {
            return null;
        }

        var offered = new List<WalletTransaction>();
        foreach (var id in turn.State.Candidates)
        {
            // Read again through the gateway with the customer's own account: only their transactions come back.
            if (await gateway.GetTransactionAsync(account.AccountId, id, ct) is { } tx)
            {
                offered.Add(tx);
            }
        }

        var byReference = turn.Entities.OfType<TransactionReferenceEntity>()
            .Select(r => offered.FirstOrDefault(t => string.Equals(t.Reference, r.Reference, StringComparison.OrdinalIgnoreCase)))
            .FirstOrDefault(t => t is not null);
        if (byReference is not null)
        {
            return byReference;
        }

        var upper = turn.Text.ToUpperInvariant();
        if (offered.FirstOrDefault(t => upper.Contains(t.Reference.ToUpperInvariant(), StringComparison.Ordinal)) is { } mentioned)
        {
            return mentioned;
        }

        if (OrdinalChoice(turn.Text) is { } n && n >= 1 && n <= offered.Count)
        {
            return offered[n - 1];
        }

        var amounts = turn.Entities.OfType<MoneyEntity>().Select(m => m.MinorUnits).ToHashSet();
        var byAmount = offered.Where(t => amounts.Contains(t.AmountMinor)).ToList();
        return byAmount.Count == 1 ? byAmount[0] : null;
    }

    private static int? OrdinalChoice(string text)
    {
        var t = CustomerSignals.Normalize(text);
        string[][] words =
        [
            ["1", "first", "the first", "first one", "one", "第一", "第一个", "第一笔", "1个"],
            ["2", "second", "the second", "second one", "two", "第二", "第二个", "第二笔"],
            ["3", "third", "the third", "third one", "three", "第三", "第三个", "第三笔"],
            ["4", "fourth", "the fourth", "four", "第四", "第四个", "第四笔"],
            ["5", "fifth", "the fifth", "five", "第五", "第五个", "第五笔"],
        ];
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i].Any(w => t == w || t == w + "." || t.StartsWith(w + " ", StringComparison.Ordinal) || (w.Length > 1 && !char.IsAscii(w[0]) && t.StartsWith(w, StringComparison.Ordinal))))
            {
                return i + 1;
            }
        }

        return null;
    }

    // ------------------------------------------------------------------ transactions

    private enum TxKind
    {
        Any,
        Transfer,
        TopUp,
        Payment,
        Refund,
    }

    private async Task TransactionsAsync(Turn turn, TxKind kind, CancellationToken ct)
    {
        var intent = turn.Intent;
        if (!await HasWalletAsync(turn, intent, ct))
        {
            return;
        }

        var account = turn.Account!;
        var kindWord = KindWord(kind, turn.Zh);
        try
        {
            // A reference the customer gave: looked up only within their own account.
            var references = turn.Entities.OfType<TransactionReferenceEntity>().Select(r => r.Reference)
                .Concat(WalletReferencePattern().Matches(turn.Text).Select(m => m.Value.ToUpperInvariant()))
                .Distinct(StringComparer.Ordinal).ToList();
            foreach (var reference in references)
            {
                var tx = await gateway.GetTransactionAsync(account.AccountId, reference, ct);
                turn.Looked($"reference {reference}: {(tx is null ? "not on this customer's account" : tx.Status)}");
                if (tx is not null)
                {
                    Explain(turn, tx);
                    return;
                }
            }

            if (references.Count > 0)
            {
                turn.Say(
                    "I couldn't find a transaction with that reference on your wallet. Please check it in the app under Activity.",
                    "在您的钱包中没有找到这个交易编号。请在应用的“账单”中核对。");
            }

            var now = time.GetUtcNow();
            var page = await gateway.ListTransactionsAsync(account.AccountId, new WalletTransactionQuery(From: now.AddDays(-Options.LookbackDays), Limit: 50), ct);
            var ofKind = page.Items.Where(t => Matches(kind, t)).ToList();
            var zone = LedgerService.Zone(account.TimeZone);
            var amounts = turn.Entities.OfType<MoneyEntity>().Select(m => m.MinorUnits).ToHashSet();
            var dates = turn.Entities.OfType<DateEntity>().Select(d => d.Date).ToHashSet();
            List<WalletTransaction> candidates;
            string how;
            if (amounts.Count > 0 || dates.Count > 0)
            {
                candidates = ofKind.Where(t => (amounts.Count == 0 || amounts.Contains(t.AmountMinor))
                    && (dates.Count == 0 || dates.Contains(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t.CreatedAt, zone).DateTime)))).ToList();
                how = "matching the amount/date given";
                if (candidates.Count == 0)
                {
                    candidates = Open(kind, ofKind);
                    how = "no match for the amount/date; open ones instead";
                }
            }
            else
            {
                candidates = Open(kind, ofKind);
                how = kind == TxKind.Refund ? "refunds and refunded payments" : "pending or failed";
            }

            turn.Looked(string.Create(CultureInfo.InvariantCulture,
                $"{ofKind.Count} {KindWord(kind, false)} transactions in {Options.LookbackDays} days; {candidates.Count} {how}{(candidates.Count > 0 ? ": " + string.Join(", ", candidates.Take(MaxListed).Select(t => $"{t.Reference} {t.Status}")) : "")}"));

            if (candidates.Count == 1)
            {
                Explain(turn, candidates[0]);
                return;
            }

            if (candidates.Count > 1)
            {
                var listed = candidates.Take(MaxListed).ToList();
                var lines = new StringBuilder(turn.T($"I found {listed.Count} recent {kindWord}s. Which one do you mean?", $"我找到最近 {listed.Count} 笔{kindWord}，请问您指的是哪一笔？"));
                for (var i = 0; i < listed.Count; i++)
                {
                    lines.Append('\n').Append(i + 1).Append(". ").Append(Line(listed[i], zone, turn.Zh));
                }

                turn.State.Stage = Stages.ChooseTransaction;
                turn.State.StageConfidence = ConfidenceOf(turn, intent);
                turn.State.StageIntent = intent;
                turn.State.Candidates = listed.Select(t => t.TransactionId).ToList();
                turn.Replies.Add(new AssistantReply(lines.ToString(), null, listed.Select(t => t.Reference).ToList()));
                turn.Did($"asked which of {listed.Count} transactions");
                return;
            }

            turn.Say(
                kind == TxKind.Refund
                    ? "I don't see a refund on your wallet in the last " + Options.LookbackDays + " days."
                    : $"I don't see a pending or failed {kindWord} on your wallet in the last {Options.LookbackDays} days.",
                kind == TxKind.Refund
                    ? $"在过去 {Options.LookbackDays} 天内，您的钱包中没有退款记录。"
                    : $"在过去 {Options.LookbackDays} 天内，您的钱包中没有处理中或失败的{kindWord}。");
            turn.Did("nothing open found");
            if (!await AnswerFromKnowledgeAsync(turn, ArticleFor(intent), ct))
            {
                AskSolved(turn, intent);
            }
        }
        catch (WalletUnavailableException)
        {
            WalletDown(turn, intent);
        }
    }

    private static bool Matches(TxKind kind, WalletTransaction t) => kind switch
    {
        TxKind.Transfer => t.Type is TransactionTypes.Transfer or TransactionTypes.Withdrawal,
        TxKind.TopUp => t.Type == TransactionTypes.TopUp,
        TxKind.Payment => t.Type == TransactionTypes.Payment,
        TxKind.Refund => t.Type == TransactionTypes.Refund || t.RefundedMinor > 0 || t.DisputeOpen,
        _ => t.Type != TransactionTypes.Fee,
    };

    private static List<WalletTransaction> Open(TxKind kind, List<WalletTransaction> items) => kind switch
    {
        // A refund transaction speaks for the payment it refunds; list the payment only when no refund of it is in view.
        TxKind.Refund => items.Where(t => t.Type == TransactionTypes.Refund || !items.Any(r => r.Type == TransactionTypes.Refund && r.OriginalTransactionId == t.TransactionId))
            .OrderBy(t => t.Status == TransactionStatuses.Pending ? 0 : 1).ThenByDescending(t => t.CreatedAt).ToList(),
        TxKind.Transfer => items.Where(t => t.Direction == "out" && t.Status is TransactionStatuses.Pending or TransactionStatuses.Failed).ToList(),
        _ => items.Where(t => t.Status is TransactionStatuses.Pending or TransactionStatuses.Failed).ToList(),
    };

    private void Explain(Turn turn, WalletTransaction tx)
    {
        var account = turn.Account!;
        var e = explainer.Explain(tx, turn.Lang, account.TimeZone);
        var zone = LedgerService.Zone(account.TimeZone);
        var head = Line(tx, zone, turn.Zh);
        var body = string.Join(turn.Zh ? "" : " ", new[] { e.Summary, e.Timing, e.NextStep }.Where(s => !string.IsNullOrWhiteSpace(s)));
        turn.Replies.Add(new AssistantReply(head + (turn.Zh ? "：" : ": ") + body));
        turn.Did($"explained {tx.Reference} ({tx.Type} {tx.Status}{(tx.ReasonCode is null ? "" : ", " + tx.ReasonCode)})");

        var now = time.GetUtcNow();
        if (Options.HandoffAmount(tx.Currency) is { } limit && tx.AmountMinor >= limit && tx.Status != TransactionStatuses.Completed)
        {
            turn.Say(
                $"As this is {Money.Format(tx.AmountMinor, tx.Currency)}, a colleague will also look at it for you.",
                $"由于金额为 {Money.Format(tx.AmountMinor, tx.Currency)}，我们的同事也会为您跟进。");
            HandOff(turn, HandoffReasons.Amount, GroupFor(turn.State.StageIntent ?? turn.Intent), TicketPriorities.High);
            return;
        }

        if (tx.Status == TransactionStatuses.Pending && tx.ExpectedSettlementAt is { } due && due < now.AddMinutes(-30))
        {
            turn.Did("overdue: expected time has passed");
            turn.Say(
                "It should have completed by now, so I'm asking a colleague to chase it for you.",
                "这笔交易已超过预计完成时间，我将请同事为您跟进。");
            HandOff(turn, HandoffReasons.FlowFailed, TicketGroups.Payments, TicketPriorities.High);
            return;
        }

        AskSolved(turn, turn.State.StageIntent ?? turn.Intent);
    }

    private static string Line(WalletTransaction t, TimeZoneInfo zone, bool zh)
    {
        var local = TimeZoneInfo.ConvertTime(t.CreatedAt, zone);
        var when = zh ? string.Create(CultureInfo.InvariantCulture, $"{local.Month}月{local.Day}日") : local.ToString("d MMM", CultureInfo.InvariantCulture);
        var status = zh ? StatusZh(t.Status) : t.Status.Replace('_', ' ');
        var party = t.Counterparty is null ? "" : zh ? $" · {t.Counterparty}" : (t.Direction == "out" ? " to " : " from ") + t.Counterparty;
        return $"{t.Reference} · {Money.Format(t.AmountMinor, t.Currency)}{party} · {when} · {status}";
    }

    private static string StatusZh(string status) => status switch
    {
        TransactionStatuses.Pending => "处理中",
        TransactionStatuses.Completed => "已完成",
        TransactionStatuses.Failed => "失败",
        TransactionStatuses.Reversed => "已冲正",
        TransactionStatuses.Refunded => "已退款",
        TransactionStatuses.PartiallyRefunded => "部分退款",
        _ => status,
    };

    private static string KindWord(TxKind kind, bool zh) => kind switch
    {
        TxKind.Transfer => zh ? "转账" : "transfer",
        TxKind.TopUp => zh ? "充值" : "top-up",
        TxKind.Payment => zh ? "付款" : "payment",
        TxKind.Refund => zh ? "退款" : "refund",
        _ => zh ? "交易" : "transaction",
    };

    // ------------------------------------------------------------------ locked account

    private async Task LockedAsync(Turn turn, CancellationToken ct, bool afterStepUp = false)
    {
        if (!await HasWalletAsync(turn, "account_locked", ct))
        {
            return;
        }

        var account = turn.Account!;
        try
        {
            turn.Looked($"account status {account.Status}");
            if (account.Status == AccountStatuses.Active)
            {
                turn.Say("Your wallet isn't locked right now.", "您的钱包目前没有被锁定。");
                if (!await AnswerFromKnowledgeAsync(turn, "forgot-password", ct))
                {
                    AskSolved(turn, "account_locked");
                }

                return;
            }

            if (account.Status != AccountStatuses.Locked)
            {
                turn.Say(
                    "Your wallet has a restriction I can't change from here, so I'm passing you to a colleague.",
                    "您的钱包有一项我无法在这里解除的限制，我将为您转接人工客服。");
                HandOff(turn, HandoffReasons.FlowFailed, TicketGroups.Accounts, TicketPriorities.High, "account_locked");
                return;
            }

            var now = time.GetUtcNow();
            var events = await gateway.ListSecurityEventsAsync(account.AccountId, 20, ct);
            var suspicious = events.Where(e => e.Suspicious && e.At >= now.AddDays(-7)).ToList();
            turn.Looked($"{events.Count} security events, {suspicious.Count} suspicious in 7 days");
            if (suspicious.Count > 0)
            {
                turn.Say(
                    "I can see unusual sign-in activity on your wallet, so for your safety a security specialist needs to unlock it with you.",
                    "我们发现您的钱包有异常登录活动。为了您的安全，需要由安全专员与您一起解锁。");
                HandOff(turn, HandoffReasons.Security, TicketGroups.Security, TicketPriorities.Urgent, "account_locked");
                return;
            }

            if (!Options.MayUnlock)
            {
                turn.Say("A colleague will help you unlock your wallet.", "人工客服将协助您解锁钱包。");
                HandOff(turn, HandoffReasons.FlowFailed, TicketGroups.Accounts, TicketPriorities.High, "account_locked");
                return;
            }

            var fresh = await gateway.FindFreshStepUpAsync(account.AccountId, now.AddMinutes(-walletOptions.Value.StepUpFreshnessMinutes), ct);
            turn.Looked(fresh is null ? "no fresh in-app step-up" : $"fresh in-app step-up {fresh.ChallengeId}");
            if (fresh is not null)
            {
                await UnlockAsync(turn, fresh, ct);
                return;
            }

            if (afterStepUp)
            {
                turn.State.StepUpChecks++;
                if (turn.State.StepUpChecks >= 2)
                {
                    turn.Say(
                        "I still can't see a confirmation from the app, so I'm passing you to a colleague who can help another way.",
                        "我仍然没有看到应用内的确认，我将为您转接人工客服，通过其他方式协助您。");
                    HandOff(turn, HandoffReasons.FlowFailed, TicketGroups.Accounts, TicketPriorities.High, "account_locked");
                    return;
                }

                turn.State.Stage = Stages.AwaitStepUp;
                turn.Say(
                    "I can't see the confirmation yet. Please open the WalletDesk app on your registered phone, confirm it's you there, then tell me \"done\".",
                    "我还没有看到确认。请在您已登记的手机上打开 WalletDesk 应用完成身份确认，然后告诉我“好了”。",
                    quick: [turn.T("Done", "好了")]);
                return;
            }

            var challenge = await gateway.StartStepUpAsync(account.AccountId, "unlock", ct);
            turn.State.StepUpChallengeId = challenge.ChallengeId;
            turn.State.Stage = Stages.AwaitStepUp;
            turn.Did($"started in-app step-up {challenge.ChallengeId}");
            await audit.AppendAsync(new AuditEvent("assistant.wallet.step-up.requested", AuditOutcomes.Success, "assistant", ActorName: "assistant",
                ObjectType: "customer", ObjectId: turn.Input.CustomerId.ToString(), Details: $"conversation={turn.Input.ConversationId}; purpose=unlock; challenge={challenge.ChallengeId}"), ct);
            turn.Say(
                "Your wallet is locked. To unlock it safely, I've sent a confirmation request to the WalletDesk app on your registered phone. Please confirm it's you in the app (never type the code here), then tell me \"done\".",
                "您的钱包已被锁定。为安全解锁，我已向您已登记手机上的 WalletDesk 应用发送了确认请求。请在应用内确认是您本人（请勿在这里输入验证码），完成后告诉我“好了”。",
                "account-locked",
                [turn.T("Done", "好了")]);
        }
        catch (WalletUnavailableException)
        {
            WalletDown(turn, "account_locked");
        }
    }

    private async Task UnlockAsync(Turn turn, StepUpChallenge stepUp, CancellationToken ct)
    {
        var account = turn.Account!;
        var now = time.GetUtcNow();
        var hours = walletOptions.Value.CoolingOffHours;
        var key = $"wd-bot-{turn.Input.ConversationId}-unlock-{stepUp.ChallengeId}";
        var command = new WalletActionCommand(key, WalletActionKinds.Unlock, account.AccountId, null, null, null,
            "Customer confirmed it was them in the wallet app during chat", stepUp.ChallengeId, hours > 0 ? now.AddHours(hours) : null, "assistant");
        WalletActionResult? result;
        try
        {
            result = await gateway.ExecuteAsync(command, ct);
        }
        catch (WalletUnavailableException ex) when (ex.OutcomeUnknown)
        {
            result = await gateway.GetActionAsync(key, ct);
        }

        var ok = result?.Outcome == WalletActionOutcomes.Completed;
        await audit.AppendAsync(new AuditEvent("assistant.wallet.unlock", ok ? AuditOutcomes.Success : AuditOutcomes.Failure, "assistant", ActorName: "assistant",
            ObjectType: "customer", ObjectId: turn.Input.CustomerId.ToString(),
            Details: $"conversation={turn.Input.ConversationId}; key={key}; step-up={stepUp.ChallengeId}; outcome={result?.Outcome ?? "unknown"}; code={result?.Code}"), ct);
        if (!ok)
        {
            turn.Did($"unlock failed ({result?.Code ?? "no answer"})");
            turn.Say("I couldn't unlock your wallet, so I'm passing you to a colleague.", "我未能解锁您的钱包，将为您转接人工客服。");
            HandOff(turn, HandoffReasons.FlowFailed, TicketGroups.Accounts, TicketPriorities.High, "account_locked");
            return;
        }

        turn.Did($"unlocked after step-up (key {key})");
        turn.Say(
            hours > 0
                ? $"Thanks, you're verified and your wallet is unlocked. For your safety, money going out is held for the next {hours} hours. If you didn't ask for this, tell us straight away."
                : "Thanks, you're verified and your wallet is unlocked.",
            hours > 0
                ? $"验证成功，您的钱包已解锁。为了您的安全，接下来 {hours} 小时内的转出将被暂缓。如果这不是您本人的操作，请立即告诉我们。"
                : "验证成功，您的钱包已解锁。");
        AskSolved(turn, "account_locked");
    }

    // ------------------------------------------------------------------ recovery

    private async Task RecoveryAsync(Turn turn, string intent, CancellationToken ct)
    {
        var (en, zh, slug) = intent switch
        {
            "forgot_password" => (
                "To reset your password: on the sign-in screen tap \"Forgot password\", confirm with the code sent to your registered phone, then choose a new password you haven't used before.",
                "重置密码：在登录页点击“忘记密码”，输入发送到您已登记手机的验证码，然后设置一个未使用过的新密码。",
                "forgot-password"),
            "lost_2fa" => (
                "If you lost the phone or authenticator you use to confirm sign-ins: on the sign-in screen choose \"Lost my device\", verify with your ID in the app, and the old device is removed. Your money stays safe meanwhile.",
                "如果您丢失了用于登录验证的手机或验证器：请在登录页选择“设备丢失”，在应用内用身份证件完成验证，旧设备将被移除。期间您的资金是安全的。",
                "lost-phone-recovery"),
            _ => (
                "If the verification code doesn't arrive: wait a minute, check that your phone has signal and can receive texts from short numbers, then tap \"Resend\". After three tries, choose \"Call me instead\".",
                "如果收不到验证码：请稍等一分钟，确认手机信号正常且可以接收短号码短信，然后点击“重新发送”。尝试三次后，可选择“语音验证码”。",
                "verification-code-not-received"),
        };
        turn.Say(
            en + " We will never ask for your password or a one-time code, here or anywhere else.",
            zh + "我们绝不会在这里或任何地方索要您的密码或验证码。");
        turn.Did($"gave recovery steps ({intent})");
        if (turn.Account is { Status: AccountStatuses.Locked })
        {
            turn.Looked("account status locked");
            turn.Say("I also see your wallet is locked; say \"my account is locked\" and I'll help you unlock it.", "我还注意到您的钱包已被锁定；告诉我“账户被锁了”，我可以帮您解锁。");
        }

        if (!await AnswerFromKnowledgeAsync(turn, slug, ct, introduce: false))
        {
            AskSolved(turn, intent);
        }
    }

    // ------------------------------------------------------------------ fraud and phishing

    private async Task FraudAsync(Turn turn, CancellationToken ct)
    {
        var intent = turn.Intent!;
        var phishing = intent == "phishing_report";
        var advice = phishing
            ? turn.T("Thank you for telling us. Don't click links in that message and never share your password or codes; we will never ask for them. ",
                "感谢您告诉我们。请不要点击该消息中的链接，也不要透露密码或验证码；我们绝不会索要这些信息。")
            : turn.T("I'm sorry, let's protect your money first. ", "非常抱歉，我们先保护好您的资金。");
        if (turn.Input.IsVisitor || turn.Account is null)
        {
            turn.Replies.Add(new AssistantReply(advice + turn.T("A security specialist will take over now.", "安全专员将立即为您处理。"), phishing ? "recognise-phishing" : "report-unauthorised-transaction"));
            HandOff(turn, HandoffReasons.Security, TicketGroups.Security, TicketPriorities.Urgent);
            return;
        }

        var account = turn.Account;
        try
        {
            var events = await gateway.ListSecurityEventsAsync(account.AccountId, 20, ct);
            var suspicious = events.Where(e => e.Suspicious).ToList();
            turn.Looked($"{events.Count} security events, {suspicious.Count} suspicious{(suspicious.Count > 0 ? ": " + string.Join(", ", suspicious.Take(3).Select(e => $"{e.Kind} {e.DeviceName} {e.Location}".Trim())) : "")}");
        }
        catch (WalletUnavailableException)
        {
            turn.Looked("security events: wallet unavailable");
        }

        if (account.Status is AccountStatuses.Frozen or AccountStatuses.Locked)
        {
            turn.Looked($"account status {account.Status}");
            turn.Replies.Add(new AssistantReply(advice + turn.T(
                "Outgoing payments from your wallet are already stopped. A security specialist will take over now.",
                "您钱包的转出功能已经停止。安全专员将立即为您处理。")));
            HandOff(turn, HandoffReasons.Security, TicketGroups.Security, TicketPriorities.Urgent);
            return;
        }

        turn.State.Stage = Stages.ConfirmFreeze;
        turn.State.StageConfidence = ConfidenceOf(turn, intent);
        turn.State.StageIntent = intent;
        turn.Did("offered to freeze outgoing payments");
        turn.Replies.Add(new AssistantReply(
            advice + turn.T(
                "I can pause all outgoing payments from your wallet right now (you can still receive money), while our security team checks your account. Shall I do that?",
                "我可以立即暂停您钱包的所有转出（仍可正常收款），同时由安全团队核查您的账户。需要我现在就暂停吗？"),
            null,
            [turn.T("Yes, pause now", "是的，立即冻结"), turn.T("No", "不用")]));
    }

    private async Task FreezeAsync(Turn turn, CancellationToken ct)
    {
        if (turn.Account is not { } account)
        {
            return;
        }

        var key = $"wd-bot-{turn.Input.ConversationId}-freeze";
        var command = new WalletActionCommand(key, WalletActionKinds.FreezeOutgoing, account.AccountId, null, null, null,
            "Customer reported suspected fraud in chat and asked to pause outgoing payments", null, null, "assistant");
        WalletActionResult? result = null;
        try
        {
            result = await gateway.ExecuteAsync(command, ct);
        }
        catch (WalletUnavailableException ex)
        {
            try
            {
                result = ex.OutcomeUnknown ? await gateway.GetActionAsync(key, ct) : null;
            }
            catch (WalletUnavailableException)
            {
                result = null;
            }
        }

        var ok = result?.Outcome == WalletActionOutcomes.Completed;
        await audit.AppendAsync(new AuditEvent("assistant.wallet.freeze_outgoing", ok ? AuditOutcomes.Success : AuditOutcomes.Failure, "assistant", ActorName: "assistant",
            ObjectType: "customer", ObjectId: turn.Input.CustomerId.ToString(),
            Details: $"conversation={turn.Input.ConversationId}; key={key}; outcome={result?.Outcome ?? "unknown"}; code={result?.Code}"), ct);
        if (ok)
        {
            turn.Did($"froze outgoing payments (key {key})");
            turn.Say("Done: outgoing payments from your wallet are paused. Money can still come in.", "已完成：您钱包的转出已暂停，仍可正常收款。");
        }
        else
        {
            turn.Did($"freeze failed ({result?.Code ?? "wallet unavailable"})");
            logger.LogWarning("Assistant could not freeze outgoing payments for conversation {ConversationId}", turn.Input.ConversationId);
            turn.Say("I couldn't pause payments myself; the security specialist will do it first thing.", "我未能自行暂停转出，安全专员会优先为您处理。");
        }
    }

    // ------------------------------------------------------------------ knowledge base

    private async Task<bool> AnswerFromKnowledgeAsync(Turn turn, string? preferredSlug, CancellationToken ct, bool introduce = true, bool askSolved = true)
    {
        SearchResults results;
        try
        {
            results = await search.SearchAsync(new SearchRequest(turn.Text, turn.Lang, IncludeInternal: false, Limit: 5), ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogWarning(ex, "Knowledge search failed for the assistant");
            results = new SearchResults(turn.Text, null, turn.Lang, [], []);
        }

        string? slug = null, title = null, snippet = null;
        if (preferredSlug is not null && results.Hits.FirstOrDefault(h => h.Slug == preferredSlug) is { } preferredHit)
        {
            (slug, title, snippet) = (preferredHit.Slug, preferredHit.Title, PlainText(preferredHit.SnippetHtml));
        }
        else if (preferredSlug is not null && await reader.ArticleAsync(preferredSlug, turn.Lang, includeInternal: false, ct) is { } article)
        {
            (slug, title) = (article.Slug, article.Title);
        }
        else if (results.Hits.Count > 0 && (turn.Intent is not null || results.Hits[0].Score > 0))
        {
            var hit = results.Hits[0];
            (slug, title, snippet) = (hit.Slug, hit.Title, PlainText(hit.SnippetHtml));
        }

        turn.Looked($"help center search: {results.Hits.Count} hits{(slug is null ? "" : ", answered with " + slug)}");
        if (slug is null)
        {
            return false;
        }

        var link = KnowledgeLinks.Article(slug);
        var intro = introduce ? turn.T("This article should help: ", "这篇文章应该能帮到您：") : turn.T("More in our help center: ", "帮助中心详细说明：");
        var quote = string.IsNullOrWhiteSpace(snippet) ? "" : (turn.Zh ? "\n" : "\n") + "“" + snippet + "”";
        turn.Replies.Add(new AssistantReply(intro + "\"" + title + "\" " + link + quote, slug));
        turn.Did($"answered with article {slug}");
        if (askSolved)
        {
            AskSolved(turn, turn.Intent);
        }

        return true;
    }

    private static void AskSolved(Turn turn, string? intent)
    {
        turn.State.Stage = Stages.ConfirmSolved;
        turn.State.StageConfidence = ConfidenceOf(turn, intent);
        turn.State.StageIntent = intent;
        turn.Say("Did that solve it?", "这解决您的问题了吗？", quick: [turn.T("Yes, thanks", "解决了"), turn.T("No, I still need help", "没解决，需要帮助")]);
    }

    private static string PlainText(string html) => WebUtility.HtmlDecode(TagPattern().Replace(html, "")).Trim();

    // ------------------------------------------------------------------ handoff

    private async Task<bool> HasWalletAsync(Turn turn, string? intent, CancellationToken ct)
    {
        if (turn.Input.IsVisitor)
        {
            // Visitors have no wallet: the help center's answer, then a person for anything about their own money.
            await AnswerFromKnowledgeAsync(turn, ArticleFor(intent), ct, askSolved: false);

            turn.Say(
                "To look at your own wallet I need you signed in, so I'm passing you to a colleague who can help.",
                "查询您本人的钱包需要先登录，我将为您转接人工客服。");
            HandOff(turn, HandoffReasons.Visitor, GroupFor(intent), PriorityFor(intent));
            return false;
        }

        if (turn.WalletUnavailable)
        {
            WalletDown(turn, intent);
            return false;
        }

        if (turn.Account is null)
        {
            turn.Looked("no wallet account linked to this customer");
            turn.Say("I can't find a wallet linked to your profile, so I'm passing you to a colleague.", "没有找到与您资料关联的钱包，我将为您转接人工客服。");
            HandOff(turn, HandoffReasons.FlowFailed, GroupFor(intent), PriorityFor(intent));
            return false;
        }

        return true;
    }

    private void WalletDown(Turn turn, string? intent)
    {
        turn.Looked("wallet unavailable");
        turn.Say(
            "I can't reach your wallet right now, so I'm passing you to a colleague who can check it.",
            "暂时无法连接您的钱包，我将为您转接人工客服进行核查。");
        HandOff(turn, HandoffReasons.FlowFailed, GroupFor(intent), PriorityFor(intent));
    }

    private void HandOff(Turn turn, string reason, string group, string priority, string? intentOverride = null)
    {
        var intent = intentOverride ?? turn.State.StageIntent ?? turn.Intent ?? turn.State.LastIntent ?? "unknown";
        var confidence = ConfidenceOf(turn, intent);
        turn.State.Stage = null;
        turn.Actions.Add("handoff: " + reason);
        var team = group switch
        {
            TicketGroups.Security => turn.T("our security team", "安全团队"),
            TicketGroups.Payments => turn.T("our payments team", "支付团队"),
            TicketGroups.Accounts => turn.T("our accounts team", "账户团队"),
            _ => turn.T("our support team", "客服团队"),
        };

        // When a person will answer is not the assistant's to say: the chat module adds that line from the one
        // expected-reply estimate the widget banner and the portal show too.
        turn.Say(
            $"I'm passing you to a colleague from {team}. They'll see our conversation, so you won't need to repeat yourself.",
            $"我将为您转接{team}的同事。他们能看到我们的聊天记录，您无需重复说明。");
        var note = Note(turn, reason, intent, confidence);
        turn.Handoff = new AssistantHandoff(reason, group, priority, note.Render(), intent, note.Confidence, CategoryFor(intent), note);
    }

    /// <summary>The classifier's confidence on the message that gave <paramref name="intent"/> (0 when no model prediction gave it).</summary>
    private static double ConfidenceOf(Turn turn, string? intent) =>
        intent is null ? 0
        : intent == turn.Intent ? turn.Prediction.Confidence
        : intent == turn.State.StageIntent ? turn.State.StageConfidence
        : intent == turn.State.LastIntent ? turn.State.LastConfidence
        : 0;

    private static HandoffNote Note(Turn turn, string reason, string intent, double confidence)
    {
        var s = turn.State;
        string? notUnderstood = turn.Prediction.Intent is null && turn.Prediction.TopCandidate is { } top ? top : null;
        var customer = turn.Input.IsVisitor ? "anonymous visitor (no wallet)" : turn.Account is { } a ? $"wallet {a.AccountId}, status {a.Status}" : "wallet not available";
        var sentiment = (s.Sentiment ?? "neutral") + (s.SentimentCues.Count > 0 ? $" ({string.Join(", ", s.SentimentCues)})" : "");

        // Everything is either the assistant's own words or redacted customer text; redact once more as the last gate.
        static string Clean(string text) => Redactor.Redact(text).Text;
        return new HandoffNote(
            reason,
            intent,
            Math.Round(confidence, 3),
            notUnderstood,
            Clean(customer),
            s.Entities.Select(Clean).ToList(),
            s.Lookups.Select(Clean).ToList(),
            s.Tried.Select(Clean).ToList(),
            sentiment,
            s.Words.Select(w => Clean(w.Replace("\n", " ", StringComparison.Ordinal))).ToList());
    }

    private static string GroupFor(string? intent) => intent switch
    {
        "transfer_not_arrived" or "transaction_status" or "topup_failed" or "payment_failed" or "incorrect_amount" or "refund_status" or "cancel_transfer" or "link_bank_or_card" => TicketGroups.Payments,
        "account_locked" or "forgot_password" or "lost_2fa" or "verification_code_not_received" or "identity_verification" or "close_account" => TicketGroups.Accounts,
        "suspicious_activity" or "phishing_report" => TicketGroups.Security,
        _ => TicketGroups.General,
    };

    private static string PriorityFor(string? intent) => intent switch
    {
        "suspicious_activity" or "phishing_report" => TicketPriorities.Urgent,
        "transfer_not_arrived" or "topup_failed" or "incorrect_amount" or "account_locked" or "forgot_password" or "lost_2fa" => TicketPriorities.High,
        _ => TicketPriorities.Normal,
    };

    private static string? CategoryFor(string? intent) => intent switch
    {
        "transfer_not_arrived" or "cancel_transfer" => "transfer_delayed",
        "topup_failed" => "topup_failed",
        "payment_failed" => "payment_failed",
        "incorrect_amount" => "incorrect_amount",
        "refund_status" => "refund",
        "account_locked" => "account_locked",
        "forgot_password" or "lost_2fa" or "verification_code_not_received" => "password_2fa_recovery",
        "identity_verification" => "account_setup",
        "link_bank_or_card" => "link_bank_or_card",
        "fees_and_limits" => "fees_limits",
        "suspicious_activity" or "phishing_report" or "security" => "security",
        null or "unknown" => null,
        _ => "other",
    };

    private static string? ArticleFor(string? intent) => intent switch
    {
        "transfer_not_arrived" => "transfer-not-arrived",
        "transaction_status" => "transfer-times",
        "topup_failed" => "topup-failed",
        "payment_failed" => "payment-declined",
        "incorrect_amount" => "charged-twice",
        "refund_status" => "refund-timelines",
        "cancel_transfer" => "cancel-transfer",
        "account_locked" => "account-locked",
        "forgot_password" => "forgot-password",
        "lost_2fa" => "lost-phone-recovery",
        "verification_code_not_received" => "verification-code-not-received",
        "identity_verification" => "verify-identity",
        "link_bank_or_card" => "link-bank-account",
        "fees_and_limits" => "fees",
        "suspicious_activity" => "report-unauthorised-transaction",
        "phishing_report" => "recognise-phishing",
        "close_account" => "close-account",
        "complaint" => "complaints",
        _ => null,
    };

    private static IReadOnlyList<string> QuickTopics(Turn turn) => turn.Zh
        ? ["我的转账没到账", "充值失败", "退款进度", "账户被锁", "转人工"]
        : ["My transfer hasn't arrived", "My top-up failed", "Where is my refund?", "My account is locked", "Talk to a person"];

    private static string Describe(Entity e) => e switch
    {
        TransactionReferenceEntity r => "reference " + r.Reference,
        MoneyEntity m => "amount " + Money.Format(m.MinorUnits, m.Currency),
        DateEntity d => "date " + d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        CardLast4Entity c => "card ending " + c.Last4,
        PhoneNumberEntity p => "phone " + Money.MaskPhone(p.E164),
        _ => e.GetType().Name,
    };

    private static string Lang(string? language) => language?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? "zh" : "en";

    /// <summary>Enough English to answer in English in a Chinese widget (callers pass the text without references).</summary>
    private static bool LongEnglish(string wording) => wording.Count(char.IsAsciiLetter) >= 12;

    private static string Cap(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";

    [GeneratedRegex(@"(?<![A-Za-z0-9])WT[0-9A-Z]{10}(?![A-Za-z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WalletReferencePattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();
}
