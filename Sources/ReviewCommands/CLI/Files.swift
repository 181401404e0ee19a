import Foundation
import IndicatorKit
import JSONCore

#if canImport(Glibc)
    import Glibc
#endif

/// Why a file named on the command line could not be read; each case says it in one sentence.
struct FileReadError: Error, Sendable, Hashable {
    enum Reason: Sendable, Hashable {
        case missing
        case directory
        case notRegular
        case permission
        case tooLarge(bytes: Int, limit: Int)
        case system(String)
    }

    var path: String
    var reason: Reason

    /// The sentence a person reads, in Chinese and English.
    var message: LocalizedText {
        switch reason {
        case .missing:
            return LocalizedText(zh: "\(path)：文件不存在", en: "\(path): no such file")
        case .directory:
            return LocalizedText(zh: "\(path)：这是一个文件夹，不是文件", en: "\(path): is a folder, not a file")
        case .notRegular:
            return LocalizedText(
                zh: "\(path)：不是普通文件（设备、管道或套接字），不予读取",
                en: "\(path): not a regular file (a device, pipe or socket); only files are read")
        case .permission:
            return LocalizedText(zh: "\(path)：没有读取权限", en: "\(path): permission denied")
        case .tooLarge(let bytes, let limit):
            return LocalizedText(
                zh: "\(path)：文件有 \(bytes) 字节，超过上限 \(limit) 字节",
                en: "\(path): the file is \(bytes) bytes, over the limit of \(limit) bytes")
        case .system(let text):
            return LocalizedText(zh: "\(path)：无法读取（\(text)）", en: "\(path): cannot read it (\(text))")
        }
    }

    /// The failure a command reports: exit 66 (EX_NOINPUT), as sysexits says for an unreadable input.
    var failure: CommandFailure {
        CommandFailure(zh: message.zh, en: message.en, exitCode: ExitCode.noInput)
    }
}

/// Reading the files a person names: regular files only, bounded in size, with the reason when not.
///
/// `-` is standard input (read up to the limit). A directory, a device, a FIFO or a file over the
/// limit is refused before a byte is read, so `validate /dev/zero` neither hangs nor fills memory.
enum InputFile {
    /// The default limit: a filing is at most 1 MiB (the validator's own limit), so a larger file
    /// is refused by size rather than read whole.
    static let defaultLimit = JSONParser.Limits.document.maxBytes!

    /// The bytes of `path`, at most `limit`.
    static func read(_ path: String, limit: Int = defaultLimit) throws(FileReadError) -> Data {
        if path == "-" { return try readStream(STDIN_FILENO, path: "standard input", limit: limit) }
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileReadError(path: path, reason: reason(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw FileReadError(path: path, reason: .directory)
        default: throw FileReadError(path: path, reason: .notRegular)
        }
        guard Int(info.st_size) <= limit else {
            throw FileReadError(path: path, reason: .tooLarge(bytes: Int(info.st_size), limit: limit))
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileReadError(path: path, reason: reason(errno)) }
        defer { close(descriptor) }
        return try readStream(descriptor, path: path, limit: limit)
    }

    /// Reads `descriptor` to its end; more than `limit` bytes is an error, not a truncation.
    private static func readStream(_ descriptor: Int32, path: String, limit: Int) throws(FileReadError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, reason: reason(errno))
            }
            data.append(contentsOf: buffer[..<count])
            if data.count > limit { throw FileReadError(path: path, reason: .tooLarge(bytes: data.count, limit: limit)) }
        }
    }

    private static func reason(_ code: Int32) -> FileReadError.Reason {
        switch code {
        case ENOENT, ENOTDIR: .missing
        case EACCES, EPERM: .permission
        case EISDIR: .directory
        default: .system(String(cString: strerror(code)))
        }
    }
}

/// Writing a file a person named (a report, a page): the failure says why in a sentence.
enum OutputFile {
    /// Writes `data` to `path` atomically (a temporary file in the same folder, then a rename).
    static func write(_ data: Data, to path: String) throws(CommandFailure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw CommandFailure(
                zh: "无法写入 \(path)：文件夹 \(folder) 不存在", en: "cannot write \(path): the folder \(folder) does not exist",
                exitCode: ExitCode.cannotCreate)
        }
        guard isDirectory.boolValue else {
            throw CommandFailure(
                zh: "无法写入 \(path)：\(folder) 不是文件夹", en: "cannot write \(path): \(folder) is not a folder",
                exitCode: ExitCode.cannotCreate)
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandFailure(
                zh: "无法写入 \(path)：这是一个文件夹", en: "cannot write \(path): it is a folder", exitCode: ExitCode.cannotCreate)
        }
        guard access(folder, W_OK) == 0 else {
            throw CommandFailure(
                zh: "无法写入 \(path)：没有在 \(folder) 中写入的权限", en: "cannot write \(path): no permission to write in \(folder)",
                exitCode: ExitCode.cannotCreate)
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            let reason = underlying.map { String(cString: strerror(Int32($0.code))) } ?? (error as NSError).localizedDescription
            throw CommandFailure(
                zh: "无法写入 \(path)：\(reason)", en: "cannot write \(path): \(reason)", exitCode: ExitCode.cannotCreate)
        }
    }

    /// Makes sure `path` is a folder that exists (creating it and its parents), or says why not.
    static func folder(_ path: String) throws(CommandFailure) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CommandFailure(zh: "\(path) 是文件，不是文件夹", en: "\(path) is a file, not a folder", exitCode: ExitCode.cannotCreate)
            }
            return url
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(
                zh: "无法创建文件夹 \(path)", en: "cannot create the folder \(path): \((error as NSError).localizedDescription)",
                exitCode: ExitCode.cannotCreate)
        }
        return url
    }
}
