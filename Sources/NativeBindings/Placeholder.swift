public enum NativeBindingsVersion { public static let libtraceevent = "1.7.1" }
