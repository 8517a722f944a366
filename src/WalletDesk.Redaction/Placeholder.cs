namespace WalletDesk.Redaction; internal static class Placeholder { }
