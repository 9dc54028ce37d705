import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Kubeconfig files with many unrelated entries, shaped like the ones kubectl writes. */
final class LargeKubeconfig {

    private LargeKubeconfig() {
    }

    static String text(int entries) {
        StringBuilder text = new StringBuilder("apiVersion: v1\nkind: Config\npreferences: {}\ncurrent-context: bench-0\nclusters:\n");
        for (int i = 0; i < entries; i++) {
            text.append("- name: bench-").append(i).append("\n  cluster:\n    server: https://10.0.")
                .append(i / 250).append('.').append(i % 250).append(":6443\n    certificate-authority-data: ")
                .append("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n");
        }
        text.append("users:\n");
        for (int i = 0; i < entries; i++) {
            text.append("- name: bench-").append(i).append("\n  user:\n    token: static-token-").append(i).append('\n');
        }
        text.append("contexts:\n");
        for (int i = 0; i < entries; i++) {
            text.append("- name: bench-").append(i).append("\n  context:\n    cluster: bench-").append(i)
                .append("\n    user: bench-").append(i).append("\n    namespace: team-").append(i % 7).append('\n');
        }
        return text.toString();
    }

    /** Returns "clusters N, users N, contexts N": how many of the generated entries the file still has. */
    @SuppressWarnings("unchecked")
    static String countKept(Path file, int entries) throws Exception {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(Integer.MAX_VALUE);
        Map<String, Object> config = new Yaml(options).load(Files.readString(file));
        StringBuilder counts = new StringBuilder();
        for (String list : List.of("clusters", "users", "contexts")) {
            long kept = ((List<Map<String, Object>>) config.get(list)).stream()
                .filter(item -> String.valueOf(item.get("name")).startsWith("bench-")).count();
            counts.append(counts.length() == 0 ? "" : ", ").append(list).append(' ').append(kept);
        }
        return counts.toString();
    }
}
