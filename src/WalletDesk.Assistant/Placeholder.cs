namespace WalletDesk.Assistant; internal static class Placeholder { }
